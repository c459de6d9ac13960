import { useEffect, useId, useState } from 'react';
import type { Settings } from '../../lib/settings/Settings';
import type { OptionsApi } from '../shared/ExtensionApi';
import { PolicyLock } from '../shared/PolicyLock';
import { RedirectUriToRegister } from './RedirectUriToRegister';
import { SaveStatusMessage } from './SaveStatusMessage';
import { useSaveStatus } from './useSaveStatus';
import type { SaveSettings } from './useSettings';

export interface OAuthAppsSectionProps {
  api: Pick<
    OptionsApi,
    'setOAuthClientSecret' | 'getOAuthClientSecretStatus' | 'requestOriginPermission' | 'getOAuthRedirectUri'
  >;
  settings: Settings;
  save: SaveSettings;
}

type AppField =
  | 'googleClientId'
  | 'microsoftClientId'
  | 'microsoftTenant'
  | 'tokenExchangeUrl'
  | 'inboxSdkAppId';
type AppDraft = Record<AppField, string>;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TENANT_DOMAIN = /^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/**
 * Client ids are public identifiers, but a mistyped one only shows up as an error page
 * inside the provider's sign-in window, so their published formats are checked here.
 */
function checkOAuthApps(draft: AppDraft): Partial<Record<AppField, string>> {
  const errors: Partial<Record<AppField, string>> = {};
  if (draft.googleClientId !== '' && !draft.googleClientId.endsWith('.apps.googleusercontent.com')) {
    errors.googleClientId = 'A Google OAuth client id ends in .apps.googleusercontent.com.';
  }
  if (draft.microsoftClientId !== '' && !GUID.test(draft.microsoftClientId)) {
    errors.microsoftClientId =
      'A Microsoft application (client) id looks like 00000000-0000-0000-0000-000000000000.';
  }
  const tenant = draft.microsoftTenant;
  if (
    !['common', 'organizations', 'consumers'].includes(tenant) &&
    !GUID.test(tenant) &&
    !TENANT_DOMAIN.test(tenant)
  ) {
    errors.microsoftTenant = 'Enter common, organizations, consumers, a tenant id, or a tenant domain.';
  }
  if (
    draft.tokenExchangeUrl !== '' &&
    !/^https:\/\/[^/]+/i.test(draft.tokenExchangeUrl) &&
    !/^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/|$)/i.test(draft.tokenExchangeUrl)
  ) {
    errors.tokenExchangeUrl = 'Enter the server’s https:// address (http:// only for localhost).';
  }
  return errors;
}

const FIELDS: ReadonlyArray<{
  field: AppField;
  label: string;
  howTo: string;
  /** The vendor whose app registration takes the extension's redirect URI (shown with the field). */
  redirectUriFor?: string;
}> = [
  {
    field: 'googleClientId',
    label: 'Google OAuth client id',
    howTo:
      'Google Cloud console → APIs & Services → Credentials: create an OAuth client id of type “Web application” with the redirect URI below under “Authorized redirect URIs” (and the Gmail API enabled), and paste it here.',
    redirectUriFor: 'Google',
  },
  {
    field: 'microsoftClientId',
    label: 'Microsoft application (client) id',
    howTo:
      'Microsoft Entra admin center → App registrations: register an app, add the redirect URI below under the “Single-page application” platform (not “Mobile and desktop”), grant Mail.Read and User.Read, and paste its Application (client) id.',
    redirectUriFor: 'Microsoft',
  },
  {
    field: 'microsoftTenant',
    label: 'Microsoft tenant',
    howTo: '“common” for any account, “organizations” for work accounts only, or your tenant id or domain.',
  },
  {
    field: 'tokenExchangeUrl',
    label: 'Token exchange server (optional)',
    howTo:
      'For teams that keep every client secret out of the browser: the address of a server running the token exchange (the reference CRM does when GOOGLE_CLIENT_SECRET, MICROSOFT_CLIENT_SECRET or HUBSPOT_CLIENT_SECRET is set in its environment). Sign-ins and refreshes then go through it and the browser holds no secret; register the Microsoft redirect URI under the “Web” platform (a confidential client with a secret on the server) instead of “Single-page application”. HubSpot sign-in always needs it.',
  },
  {
    field: 'inboxSdkAppId',
    label: 'InboxSDK app id (optional)',
    howTo:
      'Blank uses the id the extension ships with, which InboxSDK accepts without registration. If you publish the extension yourself, register it at inboxsdk.com/register and enter your own id here.',
  },
];

function draftOf(settings: Settings): AppDraft {
  return { ...settings.oauth, inboxSdkAppId: settings.inboxSdkAppId };
}

type SecretState =
  | { state: 'loading' }
  | { state: 'ready'; configured: boolean; message: string | null }
  | { state: 'saving'; configured: boolean }
  | { state: 'failed'; configured: boolean; message: string };

/**
 * The Google client secret: write-only. It goes to the background, which keeps it with the
 * tokens; the page only learns whether one is stored.
 */
function GoogleClientSecretField({ api }: Pick<OAuthAppsSectionProps, 'api'>) {
  const [value, setValue] = useState('');
  const [secret, setSecret] = useState<SecretState>({ state: 'loading' });
  const inputId = useId();
  useEffect(() => {
    let live = true;
    api.getOAuthClientSecretStatus().then(
      (status) => live && setSecret({ state: 'ready', configured: status.gmail, message: null }),
      () => live && setSecret({ state: 'ready', configured: false, message: null }),
    );
    return () => {
      live = false;
    };
  }, [api]);
  const configured = secret.state === 'loading' ? false : secret.configured;
  async function store(next: string) {
    setSecret({ state: 'saving', configured });
    try {
      const result = await api.setOAuthClientSecret('gmail', next);
      setValue('');
      setSecret({
        state: 'ready',
        configured: result.configured,
        message: result.configured ? 'Client secret stored.' : 'Client secret removed.',
      });
    } catch (error) {
      setSecret({
        state: 'failed',
        configured,
        message: `The secret could not be stored: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }
  return (
    <div className="field">
      <label htmlFor={inputId}>Google client secret</label>
      <input
        id={inputId}
        type="password"
        autoComplete="off"
        spellCheck={false}
        value={value}
        placeholder={configured ? '•••••••• (stored)' : ''}
        onChange={(e) => setValue(e.target.value)}
        aria-describedby={`${inputId}-howto`}
      />
      <p id={`${inputId}-howto`} className="hint">
        Google’s token endpoint requires the Web application client’s secret at sign-in and at every refresh,
        even with PKCE. In an extension it is not really secret (anyone with the extension can extract it;
        Google treats installed apps that way), but without it the sign-in cannot finish. It is kept in the
        extension’s background only, never shown again, and never sent to web pages. Leave it empty when a
        token exchange server is set.
      </p>
      <div className="actions">
        <button
          type="button"
          disabled={secret.state === 'saving' || value.trim() === ''}
          onClick={() => void store(value)}
        >
          {configured ? 'Replace secret' : 'Store secret'}
        </button>
        {configured && (
          <button type="button" disabled={secret.state === 'saving'} onClick={() => void store('')}>
            Remove secret
          </button>
        )}
      </div>
      <p role="status" className="hint">
        {secret.state === 'loading'
          ? 'Checking…'
          : secret.state === 'saving'
            ? 'Saving…'
            : secret.state === 'failed'
              ? secret.message
              : (secret.message ?? (configured ? 'A client secret is stored.' : 'No client secret stored.'))}
      </p>
    </div>
  );
}

export function OAuthAppsSection({ api, settings, save }: OAuthAppsSectionProps) {
  const [draft, setDraft] = useState<AppDraft>(() => draftOf(settings));
  const [errors, setErrors] = useState<Partial<Record<AppField, string>>>({});
  const { status, save: saveAndReport } = useSaveStatus(save);
  const idPrefix = useId();
  const [redirectUri, setRedirectUri] = useState<string | null | 'failed'>(null);
  useEffect(() => {
    let live = true;
    api.getOAuthRedirectUri().then(
      (uri) => live && setRedirectUri(uri),
      () => live && setRedirectUri('failed'),
    );
    return () => {
      live = false;
    };
  }, [api]);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const trimmed = Object.fromEntries(
      Object.entries(draft).map(([field, value]) => [field, value.trim()]),
    ) as AppDraft;
    const found = checkOAuthApps(trimmed);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const { inboxSdkAppId, ...oauth } = trimmed;
    // The exchange server is called from the background: it needs host permission, asked
    // for during this click (browsers only prompt inside a user gesture).
    if (oauth.tokenExchangeUrl !== '' && oauth.tokenExchangeUrl !== settings.oauth.tokenExchangeUrl) {
      const granted = await api.requestOriginPermission(new URL(oauth.tokenExchangeUrl).origin);
      if (!granted) {
        setErrors({
          tokenExchangeUrl: 'The extension needs permission to reach this server; it was not granted.',
        });
        return;
      }
    }
    if (await saveAndReport({ oauth, inboxSdkAppId })) setDraft(trimmed);
  }

  return (
    <section aria-labelledby="oauth-apps-heading" className="card">
      <h2 id="oauth-apps-heading">Mail provider apps</h2>
      <p className="hint">
        Your organisation’s own app registrations, set up once by an administrator. The extension signs in
        with PKCE. Google additionally needs the client secret (below), or a token exchange server that adds
        it; Microsoft needs none.
      </p>
      <form onSubmit={submit} noValidate>
        {FIELDS.map(({ field, label, howTo, redirectUriFor }) => {
          const inputId = `${idPrefix}-${field}`;
          return (
            <PolicyLock policies={[field]} key={field}>
              <div className="field">
                <label htmlFor={inputId}>{label}</label>
                <input
                  id={inputId}
                  type="text"
                  spellCheck={false}
                  autoComplete="off"
                  value={draft[field]}
                  onChange={(e) => setDraft((current) => ({ ...current, [field]: e.target.value }))}
                  aria-invalid={errors[field] !== undefined}
                  aria-describedby={`${inputId}-howto${errors[field] ? ` ${inputId}-error` : ''}`}
                />
                <p id={`${inputId}-howto`} className="hint">
                  {howTo}
                </p>
                {redirectUriFor && (
                  <RedirectUriToRegister redirectUri={redirectUri} vendor={redirectUriFor} />
                )}
                {errors[field] && (
                  <p id={`${inputId}-error`} className="field-error">
                    {errors[field]}
                  </p>
                )}
              </div>
            </PolicyLock>
          );
        })}
        <GoogleClientSecretField api={api} />
        <div className="actions">
          <button type="submit" className="primary" disabled={status.state === 'saving'}>
            Save
          </button>
        </div>
      </form>
      <SaveStatusMessage status={status} />
    </section>
  );
}
