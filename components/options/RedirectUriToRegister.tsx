import { useEffect, useState } from 'react';

export interface RedirectUriToRegisterProps {
  /** What `identity.getRedirectURL()` gave the background; null while it is asked, 'failed' if it did not answer. */
  redirectUri: string | null | 'failed';
  /** Whose app registration it goes into: "Google", "Microsoft". */
  vendor: string;
}

type CopyState = 'idle' | 'copied' | 'failed';

/** How long "Copied" stays, so a second copy is announced again. */
const COPIED_VISIBLE_MS = 4_000;

/**
 * The exact redirect URI an administrator registers with the provider's app, with a Copy
 * button whose result is announced (role="status"). The address differs per browser and per
 * extension id, so it is the one the browser gives, never a pattern.
 */
export function RedirectUriToRegister({ redirectUri, vendor }: RedirectUriToRegisterProps) {
  const [copy, setCopy] = useState<CopyState>('idle');
  useEffect(() => {
    if (copy !== 'copied') return;
    const timer = setTimeout(() => setCopy('idle'), COPIED_VISIBLE_MS);
    return () => clearTimeout(timer);
  }, [copy]);

  async function copyToClipboard(uri: string) {
    setCopy('idle');
    try {
      await navigator.clipboard.writeText(uri);
      setCopy('copied');
    } catch {
      setCopy('failed');
    }
  }

  return (
    <div className="redirect-uri">
      <span>Redirect URI to register with {vendor}:</span>{' '}
      {redirectUri === null ? (
        <span>reading it from the browser…</span>
      ) : redirectUri === 'failed' ? (
        <span>the browser did not give it; reload this page to try again.</span>
      ) : (
        <>
          <code data-testid={`redirect-uri-${vendor.toLowerCase()}`}>{redirectUri}</code>{' '}
          <button
            type="button"
            aria-label={`Copy the ${vendor} redirect URI`}
            onClick={() => void copyToClipboard(redirectUri)}
          >
            Copy
          </button>
        </>
      )}
      <span role="status" className="hint">
        {copy === 'copied'
          ? 'Copied'
          : copy === 'failed'
            ? 'Could not copy: select the address and copy it yourself.'
            : ''}
      </span>
    </div>
  );
}
