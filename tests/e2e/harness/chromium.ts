import { existsSync } from 'node:fs';

export const CHROMIUM_INSTALL_HINT = 'apt-get update && apt-get install -y chromium';

/** Debian's Chromium (no downloaded browsers here); CHROMIUM_PATH overrides. */
export function chromiumPath(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((p): p is string => !!p && existsSync(p)) ?? null;
}
