import { useId, useImperativeHandle, useState } from 'react';
import { PolicyLock } from '../../../../components/shared/PolicyLock';
import { FieldProblemText, problemProps, readWithSchema, TOKEN_TOO_LONG } from '../ConnectionFieldKit';
import type { CrmVendorFieldsProps } from '../CrmVendorFieldsProps';
import { SALESFORCE_LOGIN_URLS, SalesforceConnection, salesforceVendor } from './salesforceVendor';

/** Salesforce orgs answer API calls on their My Domain host. */
const SALESFORCE_INSTANCE_HOSTS = 'https://*.my.salesforce.com';

function loginChoice(url: string): 'production' | 'sandbox' | 'mydomain' {
  if (url === SALESFORCE_LOGIN_URLS.production) return 'production';
  if (url === SALESFORCE_LOGIN_URLS.sandbox) return 'sandbox';
  return 'mydomain';
}

/**
 * The options page's fields for Salesforce: where the rep signs in, the connected app's
 * consumer key and the Account field with the company's website; "Sign in to Salesforce"
 * keeps the org's instance and refresh token (lib/crm/vendors/salesforce/SalesforceSignIn.ts).
 */
export function SalesforceConnectionFields({
  saved,
  handle,
  errorFor,
  setFieldError,
  busy,
  runSignIn,
  api,
  actions,
}: CrmVendorFieldsProps<SalesforceConnection>) {
  const initial = saved ?? SalesforceConnection.parse({ type: 'salesforce' });
  const [login, setLogin] = useState(loginChoice(initial.loginUrl));
  const [myDomain, setMyDomain] = useState(
    loginChoice(initial.loginUrl) === 'mydomain' ? initial.loginUrl : '',
  );
  const [consumerKey, setConsumerKey] = useState(initial.consumerKey);
  const [accountDomainField, setAccountDomainField] = useState(initial.accountDomainField);
  const signedIn = saved && salesforceVendor.isComplete(saved) ? saved : null;
  const ids = { login: useId(), myDomain: useId(), consumerKey: useId(), domainField: useId() };
  const problem = (field: string) => `${ids.login}-${field}-error`;
  const loginUrl = login === 'mydomain' ? myDomain.trim().replace(/\/+$/, '') : SALESFORCE_LOGIN_URLS[login];

  function read() {
    const read = readWithSchema(
      SalesforceConnection,
      { ...(signedIn ?? {}), type: 'salesforce', loginUrl, consumerKey, accountDomainField },
      {
        token: TOKEN_TOO_LONG,
        accountDomainField: 'Enter a field API name, such as Website or Domain__c.',
      },
    );
    if (
      read.ok &&
      login === 'mydomain' &&
      !/^https:\/\/[a-z0-9-]+(\.[a-z0-9-]+)*\.my\.salesforce\.com$/i.test(loginUrl)
    )
      return {
        ok: false as const,
        field: 'myDomain',
        message: 'Enter your My Domain address, such as https://yourcompany.my.salesforce.com.',
      };
    return read;
  }
  useImperativeHandle(handle, () => ({ read }));

  async function signIn() {
    const checked = read();
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
      () =>
        api.crmSignIn({
          vendor: 'salesforce',
          loginUrl,
          consumerKey: consumerKey.trim(),
          accountDomainField,
        }),
      'Signing in to Salesforce did not finish.',
    );
  }

  return (
    <>
      <PolicyLock policies={['salesforceLoginUrl']}>
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
              {...problemProps(errorFor('myDomain'), problem('myDomain'))}
            />
            <FieldProblemText id={problem('myDomain')} message={errorFor('myDomain')} />
          </div>
        )}
      </PolicyLock>
      <PolicyLock policies={['salesforceConsumerKey']}>
        <div className="field">
          <label htmlFor={ids.consumerKey}>Connected app consumer key</label>
          <input
            id={ids.consumerKey}
            autoComplete="off"
            spellCheck={false}
            value={consumerKey}
            onChange={(e) => setConsumerKey(e.target.value)}
            {...problemProps(errorFor('consumerKey'), problem('consumerKey'))}
          />
          <FieldProblemText id={problem('consumerKey')} message={errorFor('consumerKey')} />
        </div>
      </PolicyLock>
      <div className="field">
        <label htmlFor={ids.domainField}>Account field with the company’s website</label>
        <input
          id={ids.domainField}
          spellCheck={false}
          value={accountDomainField}
          onChange={(e) => setAccountDomainField(e.target.value)}
          {...problemProps(errorFor('accountDomainField'), problem('accountDomainField'))}
        />
        <FieldProblemText id={problem('accountDomainField')} message={errorFor('accountDomainField')} />
      </div>
      <p className="hint" data-testid="salesforce-state">
        {signedIn ? `Signed in to ${signedIn.baseUrl}.` : 'Not signed in yet.'}
      </p>
      {actions(
        <button type="button" onClick={() => void signIn()} disabled={busy}>
          {signedIn ? 'Sign in to Salesforce again' : 'Sign in to Salesforce'}
        </button>,
      )}
    </>
  );
}
