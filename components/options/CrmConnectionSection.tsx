import { useId, useState } from 'react';
import type { MeResponse } from '../../lib/crm/contract';
import { describeError } from '../../lib/errors/describeError';
import { checkCrmBaseUrl } from '../../lib/settings/crmBaseUrl';
import { CrmConnection, type Settings } from '../../lib/settings/Settings';
import type { ExtensionApi } from '../shared/ExtensionApi';
import { SaveStatusMessage } from './SaveStatusMessage';
import { useSaveStatus } from './useSaveStatus';
import type { SaveSettings } from './useSettings';

export interface CrmConnectionSectionProps {
  api: Pick<ExtensionApi, 'testConnection' | 'requestOriginPermission'>;
  settings: Settings;
  save: SaveSettings;
  /** Told who the token belongs to after a successful test, so other sections can show the org's domains. */
  onConnectionTested: (me: MeResponse) => void;
}

type TestState =
  | { state: 'idle' }
  | { state: 'testing' }
  | { state: 'connected'; me: MeResponse }
  | { state: 'failed'; summary: string; details: string | null };

type Checked =
  | { ok: true; crm: CrmConnection; origin: string | null }
  | { ok: false; field: string; message: string };

export function CrmConnectionSection({ api, settings, save, onConnectionTested }: CrmConnectionSectionProps) {
  const [baseUrl, setBaseUrl] = useState(settings.crm.baseUrl);
  const [token, setToken] = useState(settings.crm.token);
  const [tokenVisible, setTokenVisible] = useState(false);
  const [fieldError, setFieldError] = useState<{ field: string; message: string } | null>(null);
  const [test, setTest] = useState<TestState>({ state: 'idle' });
  const saveStatus = useSaveStatus(save);
  const ids = { baseUrl: useId(), token: useId(), baseUrlError: useId(), tokenError: useId() };

  function check(): Checked {
    const parsed = CrmConnection.safeParse({ type: 'rest', baseUrl, token });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = String(issue.path[0] ?? 'baseUrl');
      return {
        ok: false,
        field,
        message:
          field === 'token'
            ? 'The token is too long (4096 characters at most).'
            : issue.code === 'custom'
              ? issue.message
              : 'Enter the CRM’s full address, such as https://crm.example.com.',
      };
    }
    if (parsed.data.baseUrl === '') return { ok: true, crm: parsed.data, origin: null };
    const origin = checkCrmBaseUrl(parsed.data.baseUrl);
    if (!origin.ok) return { ok: false, field: 'baseUrl', message: origin.message };
    return { ok: true, crm: parsed.data, origin: origin.origin };
  }

  // Browsers only show the permission prompt during a user gesture, so in both handlers
  // the request is the first asynchronous step after the synchronous checks.
  async function testConnection() {
    const checked = check();
    setFieldError(checked.ok ? null : checked);
    if (!checked.ok) return;
    if (checked.origin === null || checked.crm.token === '') {
      setTest({
        state: 'failed',
        summary: describeError({ kind: 'not_configured', message: '', source: 'crm' }, 'settings').text,
        details: null,
      });
      return;
    }
    setTest({ state: 'testing' });
    try {
      if (!(await api.requestOriginPermission(checked.origin))) {
        setTest({ state: 'failed', summary: permissionRefused(checked.origin), details: null });
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
    if (checked.origin !== null) {
      let granted: boolean;
      try {
        granted = await api.requestOriginPermission(checked.origin);
      } catch (e) {
        saveStatus.fail(
          `Not saved: the browser could not ask for access to ${checked.origin} (${describeError(e, 'settings').text}).`,
        );
        return;
      }
      if (!granted) {
        saveStatus.fail(`Not saved. ${permissionRefused(checked.origin)}`);
        return;
      }
    }
    await saveStatus.save({ crm: checked.crm });
  }

  const errorFor = (field: string) => (fieldError?.field === field ? fieldError.message : null);

  return (
    <section aria-labelledby="crm-heading" className="card">
      <h2 id="crm-heading">CRM connection</h2>
      <form onSubmit={saveConnection} noValidate>
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
        <div className="field">
          <label htmlFor={ids.token}>API token</label>
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
        <div className="actions">
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
