import { useId, useImperativeHandle, useRef, useState } from 'react';
import { InlineConfirmation } from '../../../../components/options/InlineConfirmation';
import { PolicyLock } from '../../../../components/shared/PolicyLock';
import { describeError } from '../../../errors/describeError';
import {
  FieldProblemText,
  problemProps,
  readWithSchema,
  TOKEN_TOO_LONG,
  TokenField,
} from '../ConnectionFieldKit';
import type { CrmVendorFieldsProps } from '../CrmVendorFieldsProps';
import { HubSpotConnection, hubspotVendor } from './hubspotVendor';

type SignOutState =
  | { state: 'idle' }
  | { state: 'confirming' }
  | { state: 'signing_out' }
  | { state: 'signed_out' }
  | { state: 'failed'; message: string };

/**
 * The options page's fields for HubSpot: the rep's HubSpot login, and either a private app
 * token for the team or each rep's own sign-in with the team's HubSpot app (through the token
 * exchange server), with Sign out beside the signed-in state.
 */
export function HubSpotConnectionFields({
  saved,
  handle,
  errorFor,
  setFieldError,
  busy,
  runSignIn,
  resetTest,
  onSettingsChanged,
  api,
  actions,
}: CrmVendorFieldsProps<HubSpotConnection>) {
  const initial = saved ?? HubSpotConnection.parse({ type: 'hubspot' });
  const [repEmail, setRepEmail] = useState(initial.repEmail);
  const [auth, setAuth] = useState(initial.hubspotAuth);
  const [clientId, setClientId] = useState(initial.hubspotClientId);
  const [token, setToken] = useState(initial.token);
  const [signOut, setSignOut] = useState<SignOutState>({ state: 'idle' });
  // Once signed out, the page never shows (or saves back) the old sign-in, even if the
  // settings could not be read again yet.
  const signedInAt = saved && signOut.state !== 'signed_out' ? saved.hubspotSignedInAt : null;
  const signOutButton = useRef<HTMLButtonElement>(null);
  const signInButton = useRef<HTMLButtonElement>(null);
  const ids = { repEmail: useId(), clientId: useId() };
  const problem = (field: string) => `${ids.repEmail}-${field}-error`;

  function read() {
    const read = readWithSchema(
      HubSpotConnection,
      {
        type: 'hubspot',
        baseUrl: saved?.baseUrl ?? '',
        repEmail,
        hubspotAuth: auth,
        hubspotClientId: clientId,
        // Per-rep OAuth keeps its tokens in the background, never in the settings.
        token: auth === 'oauth' ? '' : token,
        hubspotSignedInAt: signedInAt,
      },
      { token: TOKEN_TOO_LONG },
    );
    if (read.ok && repEmail !== '' && !/^[^@\s]+@[^@\s]+$/.test(repEmail.trim()))
      return {
        ok: false as const,
        field: 'repEmail',
        message: 'Enter the email address you sign in to HubSpot with.',
      };
    return read;
  }
  useImperativeHandle(handle, () => ({ read }));

  async function signIn() {
    const checked = read();
    setFieldError(checked.ok ? null : checked);
    if (!checked.ok) return;
    if (clientId.trim() === '') {
      setFieldError({ field: 'hubspotClientId', message: 'Enter the client id of your HubSpot app.' });
      return;
    }
    if (repEmail.trim() === '') {
      setFieldError({ field: 'repEmail', message: 'Enter the email address you sign in to HubSpot with.' });
      return;
    }
    setSignOut({ state: 'idle' });
    await runSignIn(
      hubspotVendor.origins(checked.crm),
      () => api.crmSignIn({ vendor: 'hubspot', clientId: clientId.trim(), repEmail: repEmail.trim() }),
      'Signing in with HubSpot did not finish.',
    );
  }

  async function signOutOfHubSpot() {
    setSignOut({ state: 'signing_out' });
    // The confirmation goes away: focus waits on Sign out of HubSpot, where it comes from.
    signOutButton.current?.focus();
    try {
      await api.crmSignOut('hubspot');
    } catch (e) {
      setSignOut({
        state: 'failed',
        message: `Signing out of HubSpot did not finish: ${describeError(e, 'settings').text}`,
      });
      return;
    }
    setSignOut({ state: 'signed_out' });
    resetTest();
    // The Sign out button is gone: the keyboard goes on from Sign in, where the rep would.
    signInButton.current?.focus();
    await onSettingsChanged();
  }

  return (
    <>
      <div className="field">
        <label htmlFor={ids.repEmail}>Your HubSpot login email</label>
        <input
          id={ids.repEmail}
          type="email"
          autoComplete="email"
          placeholder="you@yourcompany.com"
          value={repEmail}
          onChange={(e) => setRepEmail(e.target.value)}
          {...problemProps(errorFor('repEmail'), problem('repEmail'))}
        />
        <FieldProblemText id={problem('repEmail')} message={errorFor('repEmail')} />
        <p className="hint">Emails you log are owned by the HubSpot user with this address.</p>
      </div>
      <fieldset className="field">
        <legend>Sign-in</legend>
        <label>
          <input
            type="radio"
            name="hubspot-auth"
            checked={auth === 'private_app'}
            onChange={() => setAuth('private_app')}
          />{' '}
          Private app token (one token for the team)
        </label>
        <label>
          <input
            type="radio"
            name="hubspot-auth"
            checked={auth === 'oauth'}
            onChange={() => setAuth('oauth')}
          />{' '}
          Sign in with HubSpot (each rep signs in; needs the token exchange server)
        </label>
      </fieldset>
      {auth === 'oauth' && (
        <div className="field">
          <PolicyLock policies={['hubspotClientId']}>
            <label htmlFor={ids.clientId}>HubSpot app client id</label>
            <input
              id={ids.clientId}
              autoComplete="off"
              spellCheck={false}
              value={clientId}
              onChange={(e) => setClientId(e.target.value)}
              {...problemProps(errorFor('hubspotClientId'), problem('hubspotClientId'))}
            />
            <FieldProblemText id={problem('hubspotClientId')} message={errorFor('hubspotClientId')} />
          </PolicyLock>
          <div className="inline">
            <p className="hint" data-testid="hubspot-oauth-state">
              {signedInAt
                ? `Signed in with HubSpot on ${new Date(signedInAt).toLocaleString()}.`
                : 'Not signed in yet. The app’s client secret stays on your token exchange server (Mail provider apps).'}
            </p>
            {signedInAt && (
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
          {signedInAt && signOut.state === 'confirming' && (
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
      {auth !== 'oauth' && (
        <TokenField
          label="Private app access token"
          value={token}
          onChange={setToken}
          problem={errorFor('token')}
        />
      )}
      {actions(
        auth === 'oauth' && (
          <button type="button" ref={signInButton} onClick={() => void signIn()} disabled={busy}>
            {signedInAt ? 'Sign in with HubSpot again' : 'Sign in with HubSpot'}
          </button>
        ),
      )}
    </>
  );
}
