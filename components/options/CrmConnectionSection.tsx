import { useId, useRef, useState } from 'react';
import type { CrmType } from '../../lib/crm/CrmCapabilities';
import type { MeResponse } from '../../lib/crm/contract';
import { crmOrigins } from '../../lib/crm/createCrmConnector';
import { describeError } from '../../lib/errors/describeError';
import type { TestConnectionResult } from '../../lib/messaging/messages';
import { checkCrmBaseUrl } from '../../lib/settings/crmBaseUrl';
import {
  CrmConnection,
  isConnectionComplete,
  SALESFORCE_LOGIN_URLS,
  type Settings,
} from '../../lib/settings/Settings';
import type { ExtensionApi } from '../shared/ExtensionApi';
import { InlineConfirmation } from './InlineConfirmation';
import { SaveStatusMessage } from './SaveStatusMessage';
import { useSaveStatus } from './useSaveStatus';
import type { SaveSettings } from './useSettings';

export interface CrmConnectionSectionProps {
  api: Pick<
    ExtensionApi,
    'testConnection' | 'requestOriginPermission' | 'salesforceSignIn' | 'hubspotSignIn' | 'hubspotSignOut'
  >;
  settings: Settings;
  save: SaveSettings;
  /** Told who the token belongs to after a successful test, so other sections can show the org's domains. */
  onConnectionTested: (me: MeResponse) => void;
  /** Reads the settings again after the background changed them itself (a sign-in or sign-out). */
  onSettingsChanged: () => Promise<void>;
}

type TestState =
  | { state: 'idle' }
  | { state: 'testing' }
  | { state: 'connected'; me: MeResponse }
  | { state: 'failed'; summary: string; details: string | null };

type SignOutState =
  | { state: 'idle' }
  | { state: 'confirming' }
  | { state: 'signing_out' }
  | { state: 'signed_out' }
  | { state: 'failed'; message: string };

type Checked =
  | { ok: true; crm: CrmConnection; origins: string[] }
  | { ok: false; field: string; message: string };

const CRM_TYPES: [CrmType, string][] = [
  ['rest', 'Our REST contract (your own CRM server)'],
  ['hubspot', 'HubSpot'],
  ['salesforce', 'Salesforce'],
];

/** Salesforce orgs answer API calls on their My Domain host. */
const SALESFORCE_INSTANCE_HOSTS = 'https://*.my.salesforce.com';

function loginChoice(url: string): 'production' | 'sandbox' | 'mydomain' {
  if (url === SALESFORCE_LOGIN_URLS.production) return 'production';
  if (url === SALESFORCE_LOGIN_URLS.sandbox) return 'sandbox';
  return 'mydomain';
}

export function CrmConnectionSection({
  api,
  settings,
  save,
  onConnectionTested,
  onSettingsChanged,
}: CrmConnectionSectionProps) {
  const [type, setType] = useState<CrmType>(settings.crm.type);
  const [baseUrl, setBaseUrl] = useState(settings.crm.type === 'rest' ? settings.crm.baseUrl : '');
  const [token, setToken] = useState(settings.crm.type === 'salesforce' ? '' : settings.crm.token);
  const [repEmail, setRepEmail] = useState(settings.crm.repEmail);
  const [hubspotAuth, setHubspotAuth] = useState(settings.crm.hubspotAuth);
  const [hubspotClientId, setHubspotClientId] = useState(settings.crm.hubspotClientId);
  const [login, setLogin] = useState(loginChoice(settings.crm.loginUrl));
  const [myDomain, setMyDomain] = useState(
    loginChoice(settings.crm.loginUrl) === 'mydomain' ? settings.crm.loginUrl : '',
  );
  const [consumerKey, setConsumerKey] = useState(settings.crm.consumerKey);
  const [accountDomainField, setAccountDomainField] = useState(settings.crm.accountDomainField);
  const signedInSalesforce =
    settings.crm.type === 'salesforce' && isConnectionComplete(settings.crm) ? settings.crm : null;
  const [tokenVisible, setTokenVisible] = useState(false);
  const [fieldError, setFieldError] = useState<{ field: string; message: string } | null>(null);
  const [test, setTest] = useState<TestState>({ state: 'idle' });
  const [signOut, setSignOut] = useState<SignOutState>({ state: 'idle' });
  // Once signed out, the page never shows (or saves back) the old sign-in, even if the
  // settings could not be read again yet.
  const hubspotSignedInAt =
    settings.crm.type === 'hubspot' && signOut.state !== 'signed_out' ? settings.crm.hubspotSignedInAt : null;
  const signOutButton = useRef<HTMLButtonElement>(null);
  const hubspotSignInButton = useRef<HTMLButtonElement>(null);
  const saveStatus = useSaveStatus(save);
  const ids = {
    type: useId(),
    baseUrl: useId(),
    token: useId(),
    baseUrlError: useId(),
    tokenError: useId(),
    repEmail: useId(),
    login: useId(),
    myDomain: useId(),
    consumerKey: useId(),
    domainField: useId(),
    hubspotClientId: useId(),
  };
  const loginUrl = login === 'mydomain' ? myDomain.trim().replace(/\/+$/, '') : SALESFORCE_LOGIN_URLS[login];

  function check(): Checked {
    const input =
      type === 'salesforce'
        ? { ...(signedInSalesforce ?? {}), type, loginUrl, consumerKey, accountDomainField }
        : type === 'hubspot'
          ? {
              type,
              repEmail,
              hubspotAuth,
              hubspotClientId,
              // Per-rep OAuth keeps its tokens in the background, never in the settings.
              token: hubspotAuth === 'oauth' ? '' : token,
              hubspotSignedInAt,
            }
          : { type, baseUrl, token };
    const parsed = CrmConnection.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = String(issue.path[0] ?? 'baseUrl');
      return {
        ok: false,
        field,
        message:
          field === 'token'
            ? 'The token is too long (4096 characters at most).'
            : field === 'accountDomainField'
              ? 'Enter a field API name, such as Website or Domain__c.'
              : issue.code === 'custom'
                ? issue.message
                : 'Enter the CRM’s full address, such as https://crm.example.com.',
      };
    }
    if (type === 'hubspot' && repEmail !== '' && !/^[^@\s]+@[^@\s]+$/.test(repEmail.trim()))
      return {
        ok: false,
        field: 'repEmail',
        message: 'Enter the email address you sign in to HubSpot with.',
      };
    if (
      type === 'salesforce' &&
      login === 'mydomain' &&
      !/^https:\/\/[a-z0-9-]+(\.[a-z0-9-]+)*\.my\.salesforce\.com$/i.test(loginUrl)
    )
      return {
        ok: false,
        field: 'myDomain',
        message: 'Enter your My Domain address, such as https://yourcompany.my.salesforce.com.',
      };
    if (type === 'rest' && parsed.data.baseUrl !== '') {
      const origin = checkCrmBaseUrl(parsed.data.baseUrl);
      if (!origin.ok) return { ok: false, field: 'baseUrl', message: origin.message };
    }
    return { ok: true, crm: parsed.data, origins: crmOrigins(parsed.data) };
  }

  /** One prompt for exactly the hosts this CRM uses (asked inside the click's user gesture). */
  async function askForHosts(origins: string[]): Promise<string | null> {
    for (const origin of origins) if (!(await api.requestOriginPermission(origin))) return origin;
    return null;
  }

  // Browsers only show the permission prompt during a user gesture, so in both handlers
  // the request is the first asynchronous step after the synchronous checks.
  async function testConnection() {
    const checked = check();
    setFieldError(checked.ok ? null : checked);
    if (!checked.ok) return;
    if (!isConnectionComplete(checked.crm)) {
      setTest({
        state: 'failed',
        summary: describeError({ kind: 'not_configured', message: '', source: 'crm' }, 'settings').text,
        details: null,
      });
      return;
    }
    setTest({ state: 'testing' });
    try {
      const refused = await askForHosts(checked.origins);
      if (refused) {
        setTest({ state: 'failed', summary: permissionRefused(refused), details: null });
        return;
      }
      const result = await api.testConnection(checked.crm);
      if (result.ok) {
        setTest({ state: 'connected', me: result.me });
        onConnectionTested(result.me);
      } else {
        setTest({
          state: 'failed',
          summary: describeError({ kind: result.kind, message: result.message, source: 'crm' }, 'settings')
            .text,
          details: result.message,
        });
      }
    } catch (e) {
      setTest({
        state: 'failed',
        summary: 'The test could not run.',
        details: describeError(e, 'settings').text,
      });
    }
  }

  async function saveConnection(event: React.FormEvent) {
    event.preventDefault();
    const checked = check();
    setFieldError(checked.ok ? null : checked);
    if (!checked.ok) return;
    if (checked.origins.length > 0) {
      let refused: string | null;
      try {
        refused = await askForHosts(checked.origins);
      } catch (e) {
        saveStatus.fail(
          `Not saved: the browser could not ask for access to ${checked.origins.join(', ')} (${describeError(e, 'settings').text}).`,
        );
        return;
      }
      if (refused) {
        saveStatus.fail(`Not saved. ${permissionRefused(refused)}`);
        return;
      }
    }
    await saveStatus.save({ crm: checked.crm });
  }

  async function signInToSalesforce() {
    const checked = check();
    setFieldError(checked.ok ? null : checked);
    if (!checked.ok) return;
    if (consumerKey.trim() === '') {
      setFieldError({
        field: 'consumerKey',
        message: 'Enter the consumer key of your Salesforce connected app.',
      });
      return;
    }
    // The login host and the org's My Domain hosts; the instance URL is only known after sign-in.
    await runSignIn(
      [new URL(loginUrl).origin, SALESFORCE_INSTANCE_HOSTS],
      () => api.salesforceSignIn({ loginUrl, consumerKey: consumerKey.trim(), accountDomainField }),
      'Signing in to Salesforce did not finish.',
    );
  }

  /** A sign-in in the browser's identity window: hosts first (inside the click), then the result. */
  async function runSignIn(
    origins: string[],
    signIn: () => Promise<TestConnectionResult>,
    unfinished: string,
  ): Promise<void> {
    setTest({ state: 'testing' });
    try {
      const refused = await askForHosts(origins);
      if (refused) {
        setTest({ state: 'failed', summary: permissionRefused(refused), details: null });
        return;
      }
      const result = await signIn();
      if (result.ok) {
        setTest({ state: 'connected', me: result.me });
        onConnectionTested(result.me);
        // The background saved the sign-in: show it (and Sign out) without a reload.
        await onSettingsChanged();
      } else
        setTest({
          state: 'failed',
          summary: describeError({ kind: result.kind, message: result.message, source: 'crm' }, 'settings')
            .text,
          details: result.message,
        });
    } catch (e) {
      setTest({ state: 'failed', summary: unfinished, details: describeError(e, 'settings').text });
    }
  }

  async function signInToHubSpot() {
    const checked = check();
    setFieldError(checked.ok ? null : checked);
    if (!checked.ok) return;
    if (hubspotClientId.trim() === '') {
      setFieldError({ field: 'hubspotClientId', message: 'Enter the client id of your HubSpot app.' });
      return;
    }
    if (repEmail.trim() === '') {
      setFieldError({ field: 'repEmail', message: 'Enter the email address you sign in to HubSpot with.' });
      return;
    }
    setSignOut({ state: 'idle' });
    await runSignIn(
      checked.origins,
      () => api.hubspotSignIn({ clientId: hubspotClientId.trim(), repEmail: repEmail.trim() }),
      'Signing in with HubSpot did not finish.',
    );
  }

  async function signOutOfHubSpot() {
    setSignOut({ state: 'signing_out' });
    // The confirmation goes away: focus waits on Sign out of HubSpot, where it comes from.
    signOutButton.current?.focus();
    try {
      await api.hubspotSignOut();
    } catch (e) {
      setSignOut({
        state: 'failed',
        message: `Signing out of HubSpot did not finish: ${describeError(e, 'settings').text}`,
      });
      return;
    }
    setSignOut({ state: 'signed_out' });
    setTest({ state: 'idle' });
    // The Sign out button is gone: the keyboard goes on from Sign in, where the rep would.
    hubspotSignInButton.current?.focus();
    await onSettingsChanged();
  }

  const errorFor = (field: string) => (fieldError?.field === field ? fieldError.message : null);
  const fieldProblem = (field: string, id: string) =>
    errorFor(field) && (
      <p id={id} className="field-error">
        {errorFor(field)}
      </p>
    );

  return (
    <section aria-labelledby="crm-heading" className="card">
      <h2 id="crm-heading">CRM connection</h2>
      <form onSubmit={saveConnection} noValidate>
        <div className="field">
          <label htmlFor={ids.type}>CRM</label>
          <select
            id={ids.type}
            value={type}
            onChange={(e) => {
              setType(e.target.value as CrmType);
              setTest({ state: 'idle' });
              setFieldError(null);
            }}
          >
            {CRM_TYPES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        {type === 'rest' && (
          <div className="field">
            <label htmlFor={ids.baseUrl}>Base URL</label>
            <input
              id={ids.baseUrl}
              type="url"
              inputMode="url"
              autoComplete="url"
              placeholder="https://crm.example.com"
              value={baseUrl}
              onChange={(e) => setBaseUrl(e.target.value)}
              aria-invalid={errorFor('baseUrl') !== null}
              aria-describedby={errorFor('baseUrl') ? ids.baseUrlError : undefined}
            />
            {errorFor('baseUrl') && (
              <p id={ids.baseUrlError} className="field-error">
                {errorFor('baseUrl')}
              </p>
            )}
          </div>
        )}
        {type === 'hubspot' && (
          <div className="field">
            <label htmlFor={ids.repEmail}>Your HubSpot login email</label>
            <input
              id={ids.repEmail}
              type="email"
              autoComplete="email"
              placeholder="you@yourcompany.com"
              value={repEmail}
              onChange={(e) => setRepEmail(e.target.value)}
              aria-invalid={errorFor('repEmail') !== null}
              aria-describedby={errorFor('repEmail') ? `${ids.repEmail}-error` : undefined}
            />
            {fieldProblem('repEmail', `${ids.repEmail}-error`)}
            <p className="hint">Emails you log are owned by the HubSpot user with this address.</p>
          </div>
        )}
        {type === 'hubspot' && (
          <fieldset className="field">
            <legend>Sign-in</legend>
            <label>
              <input
                type="radio"
                name="hubspot-auth"
                checked={hubspotAuth === 'private_app'}
                onChange={() => setHubspotAuth('private_app')}
              />{' '}
              Private app token (one token for the team)
            </label>
            <label>
              <input
                type="radio"
                name="hubspot-auth"
                checked={hubspotAuth === 'oauth'}
                onChange={() => setHubspotAuth('oauth')}
              />{' '}
              Sign in with HubSpot (each rep signs in; needs the token exchange server)
            </label>
          </fieldset>
        )}
        {type === 'hubspot' && hubspotAuth === 'oauth' && (
          <div className="field">
            <label htmlFor={ids.hubspotClientId}>HubSpot app client id</label>
            <input
              id={ids.hubspotClientId}
              autoComplete="off"
              spellCheck={false}
              value={hubspotClientId}
              onChange={(e) => setHubspotClientId(e.target.value)}
              aria-invalid={errorFor('hubspotClientId') !== null}
              aria-describedby={errorFor('hubspotClientId') ? `${ids.hubspotClientId}-error` : undefined}
            />
            {fieldProblem('hubspotClientId', `${ids.hubspotClientId}-error`)}
            <div className="inline">
              <p className="hint" data-testid="hubspot-oauth-state">
                {hubspotSignedInAt
                  ? `Signed in with HubSpot on ${new Date(hubspotSignedInAt).toLocaleString()}.`
                  : 'Not signed in yet. The app’s client secret stays on your token exchange server (Mail provider apps).'}
              </p>
              {hubspotSignedInAt && (
                <button
                  type="button"
                  className="danger"
                  ref={signOutButton}
                  aria-expanded={signOut.state === 'confirming'}
                  // aria-disabled rather than disabled: focus stays on it while the sign-out runs.
                  aria-disabled={signOut.state === 'signing_out'}
                  onClick={() => {
                    if (signOut.state !== 'signing_out') setSignOut({ state: 'confirming' });
                  }}
                >
                  Sign out of HubSpot
                </button>
              )}
            </div>
            {hubspotSignedInAt && signOut.state === 'confirming' && (
              <InlineConfirmation
                title="Sign out of HubSpot?"
                description="The extension forgets your HubSpot sign-in. Emails already logged stay in HubSpot; until you sign in again, the sidebar shows no HubSpot records and nothing new is logged."
                confirmLabel="Sign out"
                onConfirm={() => void signOutOfHubSpot()}
                onCancel={() => {
                  setSignOut({ state: 'idle' });
                  signOutButton.current?.focus();
                }}
              />
            )}
            {signOut.state === 'signed_out' && (
              <p role="status" className="save-status">
                Signed out of HubSpot. Emails already logged stay in HubSpot.
              </p>
            )}
            {signOut.state === 'failed' && (
              <p role="alert" className="error-text">
                {signOut.message}
              </p>
            )}
          </div>
        )}
        {type === 'salesforce' && (
          <>
            <div className="field">
              <label htmlFor={ids.login}>Sign in at</label>
              <select id={ids.login} value={login} onChange={(e) => setLogin(e.target.value as typeof login)}>
                <option value="production">Production (login.salesforce.com)</option>
                <option value="sandbox">Sandbox (test.salesforce.com)</option>
                <option value="mydomain">My Domain</option>
              </select>
            </div>
            {login === 'mydomain' && (
              <div className="field">
                <label htmlFor={ids.myDomain}>My Domain URL</label>
                <input
                  id={ids.myDomain}
                  type="url"
                  placeholder="https://yourcompany.my.salesforce.com"
                  value={myDomain}
                  onChange={(e) => setMyDomain(e.target.value)}
                  aria-invalid={errorFor('myDomain') !== null}
                  aria-describedby={errorFor('myDomain') ? `${ids.myDomain}-error` : undefined}
                />
                {fieldProblem('myDomain', `${ids.myDomain}-error`)}
              </div>
            )}
            <div className="field">
              <label htmlFor={ids.consumerKey}>Connected app consumer key</label>
              <input
                id={ids.consumerKey}
                autoComplete="off"
                spellCheck={false}
                value={consumerKey}
                onChange={(e) => setConsumerKey(e.target.value)}
                aria-invalid={errorFor('consumerKey') !== null}
                aria-describedby={errorFor('consumerKey') ? `${ids.consumerKey}-error` : undefined}
              />
              {fieldProblem('consumerKey', `${ids.consumerKey}-error`)}
            </div>
            <div className="field">
              <label htmlFor={ids.domainField}>Account field with the company’s website</label>
              <input
                id={ids.domainField}
                spellCheck={false}
                value={accountDomainField}
                onChange={(e) => setAccountDomainField(e.target.value)}
                aria-invalid={errorFor('accountDomainField') !== null}
                aria-describedby={errorFor('accountDomainField') ? `${ids.domainField}-error` : undefined}
              />
              {fieldProblem('accountDomainField', `${ids.domainField}-error`)}
            </div>
            <p className="hint" data-testid="salesforce-state">
              {signedInSalesforce ? `Signed in to ${signedInSalesforce.baseUrl}.` : 'Not signed in yet.'}
            </p>
          </>
        )}
        {type !== 'salesforce' && !(type === 'hubspot' && hubspotAuth === 'oauth') && (
          <div className="field">
            <label htmlFor={ids.token}>{type === 'hubspot' ? 'Private app access token' : 'API token'}</label>
            <div className="inline">
              <input
                id={ids.token}
                type={tokenVisible ? 'text' : 'password'}
                autoComplete="off"
                spellCheck={false}
                value={token}
                onChange={(e) => setToken(e.target.value)}
                aria-invalid={errorFor('token') !== null}
                aria-describedby={errorFor('token') ? ids.tokenError : undefined}
              />
              <button
                type="button"
                aria-pressed={tokenVisible}
                aria-controls={ids.token}
                onClick={() => setTokenVisible((visible) => !visible)}
              >
                {tokenVisible ? 'Hide token' : 'Show token'}
              </button>
            </div>
            {errorFor('token') && (
              <p id={ids.tokenError} className="field-error">
                {errorFor('token')}
              </p>
            )}
          </div>
        )}
        <div className="actions">
          {type === 'salesforce' && (
            <button
              type="button"
              onClick={() => void signInToSalesforce()}
              disabled={test.state === 'testing'}
            >
              {signedInSalesforce ? 'Sign in to Salesforce again' : 'Sign in to Salesforce'}
            </button>
          )}
          {type === 'hubspot' && hubspotAuth === 'oauth' && (
            <button
              type="button"
              ref={hubspotSignInButton}
              onClick={() => void signInToHubSpot()}
              disabled={test.state === 'testing'}
            >
              {hubspotSignedInAt ? 'Sign in with HubSpot again' : 'Sign in with HubSpot'}
            </button>
          )}
          <button type="button" onClick={() => void testConnection()} disabled={test.state === 'testing'}>
            {test.state === 'testing' ? 'Testing…' : 'Test connection'}
          </button>
          <button type="submit" className="primary" disabled={saveStatus.status.state === 'saving'}>
            Save
          </button>
        </div>
      </form>
      <TestResult test={test} />
      <SaveStatusMessage status={saveStatus.status} />
    </section>
  );
}

function TestResult({ test }: { test: TestState }) {
  if (test.state === 'connected') {
    const { user, org } = test.me;
    return (
      <p role="status" className="test-result ok" data-testid="test-result">
        Connected as {user.name} &lt;{user.email}&gt; — {org.name}, domains:{' '}
        {org.domains.length > 0 ? org.domains.join(', ') : 'none'}
      </p>
    );
  }
  if (test.state === 'failed') {
    return (
      <div role="alert" className="test-result failed" data-testid="test-result">
        <p>{test.summary}</p>
        {test.details && <p className="details">Details: {test.details}</p>}
      </div>
    );
  }
  return null;
}

function permissionRefused(origin: string): string {
  return `The browser did not grant access to ${origin}; the extension cannot reach the CRM without it.`;
}
