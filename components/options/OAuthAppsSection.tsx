import { useId, useState } from 'react';
import type { Settings } from '../../lib/settings/Settings';
import { SaveStatusMessage } from './SaveStatusMessage';
import { useSaveStatus } from './useSaveStatus';
import type { SaveSettings } from './useSettings';

export interface OAuthAppsSectionProps {
  settings: Settings;
  save: SaveSettings;
}

type AppField = 'googleClientId' | 'microsoftClientId' | 'microsoftTenant' | 'inboxSdkAppId';
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
  return errors;
}

const FIELDS: ReadonlyArray<{ field: AppField; label: string; howTo: string }> = [
  {
    field: 'googleClientId',
    label: 'Google OAuth client id',
    howTo:
      'Google Cloud console → APIs & Services → Credentials: create an OAuth client id (with the Gmail API enabled) and paste it here.',
  },
  {
    field: 'microsoftClientId',
    label: 'Microsoft application (client) id',
    howTo:
      'Microsoft Entra admin center → App registrations: register an app with the Mail.Read delegated permission and paste its Application (client) id.',
  },
  {
    field: 'microsoftTenant',
    label: 'Microsoft tenant',
    howTo: '“common” for any account, “organizations” for work accounts only, or your tenant id or domain.',
  },
  {
    field: 'inboxSdkAppId',
    label: 'InboxSDK app id',
    howTo: 'Register the extension at inboxsdk.com/register; the Gmail sidebar needs this id to load.',
  },
];

function draftOf(settings: Settings): AppDraft {
  return { ...settings.oauth, inboxSdkAppId: settings.inboxSdkAppId };
}

export function OAuthAppsSection({ settings, save }: OAuthAppsSectionProps) {
  const [draft, setDraft] = useState<AppDraft>(() => draftOf(settings));
  const [errors, setErrors] = useState<Partial<Record<AppField, string>>>({});
  const { status, save: saveAndReport } = useSaveStatus(save);
  const idPrefix = useId();

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const trimmed = Object.fromEntries(
      Object.entries(draft).map(([field, value]) => [field, value.trim()]),
    ) as AppDraft;
    const found = checkOAuthApps(trimmed);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const { inboxSdkAppId, ...oauth } = trimmed;
    if (await saveAndReport({ oauth, inboxSdkAppId })) setDraft(trimmed);
  }

  return (
    <section aria-labelledby="oauth-apps-heading" className="card">
      <h2 id="oauth-apps-heading">Mail provider apps</h2>
      <p className="hint">
        Your organisation’s own app registrations, set up once by an administrator. Only client ids are
        needed: the extension signs in with PKCE and holds no client secret.
      </p>
      <form onSubmit={submit} noValidate>
        {FIELDS.map(({ field, label, howTo }) => {
          const inputId = `${idPrefix}-${field}`;
          return (
            <div className="field" key={field}>
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
              {errors[field] && (
                <p id={`${inputId}-error`} className="field-error">
                  {errors[field]}
                </p>
              )}
            </div>
          );
        })}
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
