import { useId, useImperativeHandle, useState } from 'react';
import { PolicyLock } from '../../../../components/shared/PolicyLock';
import {
  FieldProblemText,
  problemProps,
  readWithSchema,
  TOKEN_TOO_LONG,
  TokenField,
} from '../ConnectionFieldKit';
import type { CrmVendorFieldsProps } from '../CrmVendorFieldsProps';
import { PipedriveConnection } from './pipedriveVendor';

/** The options page's fields for Pipedrive: the rep's API token, and optionally the company's address. */
export function PipedriveConnectionFields({
  saved,
  handle,
  errorFor,
  actions,
}: CrmVendorFieldsProps<PipedriveConnection>) {
  const [baseUrl, setBaseUrl] = useState(saved?.baseUrl ?? '');
  const [token, setToken] = useState(saved?.token ?? '');
  const id = useId();
  const hintId = useId();
  const problemId = useId();
  useImperativeHandle(handle, () => ({
    read: () =>
      readWithSchema(PipedriveConnection, { type: 'pipedrive', baseUrl, token }, { token: TOKEN_TOO_LONG }),
  }));
  const problem = errorFor('baseUrl');
  return (
    <>
      <TokenField label="Pipedrive API token" value={token} onChange={setToken} problem={errorFor('token')} />
      <p className="hint">In Pipedrive: your name (top right) › Personal preferences › API.</p>
      <PolicyLock policies={['crmBaseUrl']}>
        <div className="field">
          <label htmlFor={id}>Company address (optional)</label>
          <input
            id={id}
            type="url"
            inputMode="url"
            placeholder="https://api.pipedrive.com"
            value={baseUrl}
            onChange={(e) => setBaseUrl(e.target.value)}
            {...problemProps(problem, problemId)}
            aria-describedby={[hintId, problem ? problemId : ''].filter(Boolean).join(' ')}
          />
          <p id={hintId} className="hint">
            Blank uses https://api.pipedrive.com; or enter your company’s
            https://&lt;company&gt;.pipedrive.com.
          </p>
          <FieldProblemText id={problemId} message={problem} />
        </div>
      </PolicyLock>
      {actions()}
    </>
  );
}
