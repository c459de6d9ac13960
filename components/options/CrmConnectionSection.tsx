import { useId, useRef, useState } from 'react';
import type { MeResponse } from '../../lib/crm/contract';
import type {
  CrmFieldsHandle,
  CrmVendorFields,
  FieldProblem,
} from '../../lib/crm/vendors/CrmVendorFieldsProps';
import { CRM_VENDOR_FIELDS } from '../../lib/crm/vendors/crmVendorFields';
import {
  CRM_VENDORS,
  type CrmType,
  crmOrigins,
  missingConnectionCode,
} from '../../lib/crm/vendors/crmVendors';
import { describeError } from '../../lib/errors/describeError';
import type { TestConnectionResult } from '../../lib/messaging/messages';
import { type CrmConnection, isConnectionComplete, type Settings } from '../../lib/settings/Settings';
import type { ExtensionApi } from '../shared/ExtensionApi';
import { PolicyLock } from '../shared/PolicyLock';
import { SaveStatusMessage } from './SaveStatusMessage';
import { useSaveStatus } from './useSaveStatus';
import type { SaveSettings } from './useSettings';

export interface CrmConnectionSectionProps {
  api: Pick<ExtensionApi, 'testConnection' | 'requestOriginPermission' | 'crmSignIn' | 'crmSignOut'>;
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

type Checked = { ok: true; crm: CrmConnection; origins: string[] } | ({ ok: false } & FieldProblem);

/**
 * The CRM connection: which CRM, then that vendor's own fields (lib/crm/vendors/crmVendorFields.ts),
 * then Test connection and Save, each asking for exactly the hosts the connection uses.
 */
export function CrmConnectionSection({
  api,
  settings,
  save,
  onConnectionTested,
  onSettingsChanged,
}: CrmConnectionSectionProps) {
  const [type, setType] = useState<CrmType>(settings.crm.type);
  const [fieldError, setFieldError] = useState<FieldProblem | null>(null);
  const [test, setTest] = useState<TestState>({ state: 'idle' });
  const fields = useRef<CrmFieldsHandle>(null);
  const saveStatus = useSaveStatus(save);
  const typeId = useId();
  const Fields = CRM_VENDOR_FIELDS[type] as CrmVendorFields<CrmConnection>;

  function check(): Checked {
    const read = fields.current?.read();
    if (!read) return { ok: false, field: 'type', message: 'Choose a CRM.' };
    if (!read.ok) return read;
    return { ok: true, crm: read.crm, origins: crmOrigins(read.crm) };
  }

  /** One prompt for exactly the hosts this CRM uses (asked inside the click's user gesture). */
  async function askForHosts(origins: string[]): Promise<string | null> {
    for (const origin of origins) if (!(await api.requestOriginPermission(origin))) return origin;
    return null;
  }

  function showResult(result: TestConnectionResult) {
    if (result.ok) {
      setTest({ state: 'connected', me: result.me });
      onConnectionTested(result.me);
    } else
      setTest({
        state: 'failed',
        summary: describeError(
          { kind: result.kind, code: result.code, message: result.message, source: 'crm' },
          'settings',
        ).text,
        details: result.message,
      });
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
        summary: describeError(
          { kind: 'not_configured', code: missingConnectionCode(checked.crm), message: '', source: 'crm' },
          'settings',
        ).text,
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
      showResult(await api.testConnection(checked.crm));
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
      showResult(result);
      // The background saved the sign-in: show it (and Sign out) without a reload.
      if (result.ok) await onSettingsChanged();
    } catch (e) {
      setTest({ state: 'failed', summary: unfinished, details: describeError(e, 'settings').text });
    }
  }

  return (
    <section aria-labelledby="crm-heading" className="card">
      <h2 id="crm-heading">CRM connection</h2>
      <form onSubmit={saveConnection} noValidate>
        <PolicyLock policies={['crmType']}>
          <div className="field">
            <label htmlFor={typeId}>CRM</label>
            <select
              id={typeId}
              value={type}
              onChange={(e) => {
                setType(e.target.value as CrmType);
                setTest({ state: 'idle' });
                setFieldError(null);
              }}
            >
              {Object.values(CRM_VENDORS).map((vendor) => (
                <option key={vendor.type} value={vendor.type}>
                  {vendor.optionLabel}
                </option>
              ))}
            </select>
          </div>
        </PolicyLock>
        <Fields
          key={type}
          saved={settings.crm.type === type ? settings.crm : null}
          handle={fields}
          errorFor={(field) => (fieldError?.field === field ? fieldError.message : null)}
          setFieldError={setFieldError}
          busy={test.state === 'testing'}
          runSignIn={runSignIn}
          resetTest={() => setTest({ state: 'idle' })}
          onSettingsChanged={onSettingsChanged}
          api={api}
          actions={(vendorButtons) => (
            <div className="actions">
              {vendorButtons}
              <button type="button" onClick={() => void testConnection()} disabled={test.state === 'testing'}>
                {test.state === 'testing' ? 'Testing…' : 'Test connection'}
              </button>
              <button type="submit" className="primary" disabled={saveStatus.status.state === 'saving'}>
                Save
              </button>
            </div>
          )}
        />
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
