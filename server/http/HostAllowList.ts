import { isIP } from 'node:net';

/** The names a browser on this computer uses for it; what the server answers by default. */
export const LOOPBACK_HOST_NAMES = ['localhost', '127.0.0.1', '::1'] as const;

/**
 * Which `Host` headers the server answers. A DNS-rebinding page makes the browser send its
 * own name (`evil.example:8787`) to 127.0.0.1, so a name must be one the operator gave;
 * an IP literal cannot be rebound (the page's origin would be that address), so every
 * literal is answered. https://en.wikipedia.org/wiki/DNS_rebinding
 */
export class HostAllowList {
  private readonly names: Set<string>;

  constructor(names: Iterable<string>) {
    this.names = new Set([...LOOPBACK_HOST_NAMES, ...[...names].map(normaliseHostName)].filter(Boolean));
  }

  /** The allowed names, for error messages and logs. */
  get list(): string[] {
    return [...this.names];
  }

  allows(hostHeader: string | undefined): boolean {
    if (!hostHeader) return false;
    const name = hostNameOf(hostHeader);
    if (name === null) return false;
    return this.names.has(name) || isIP(name) !== 0;
  }
}

/** `Example.COM.` and `example.com` are one name; `[::1]` is `::1`. */
function normaliseHostName(name: string): string {
  const trimmed = name.trim().toLowerCase().replace(/\.$/, '');
  return trimmed.startsWith('[') && trimmed.endsWith(']') ? trimmed.slice(1, -1) : trimmed;
}

/** The name of a `Host` header (RFC 9110 §7.2: uri-host [":" port]), or null when malformed. */
export function hostNameOf(hostHeader: string): string | null {
  const value = hostHeader.trim();
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/i.exec(value);
  if (bracketed?.[1]) return bracketed[1].toLowerCase();
  const plain = /^([^:/\s@[\]]+)(?::\d{1,5})?$/.exec(value);
  return plain?.[1] ? normaliseHostName(plain[1]) : null;
}
