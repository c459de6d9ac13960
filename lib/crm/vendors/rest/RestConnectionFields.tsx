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
import { RestConnection } from './restVendor';

/** The options page's fields for a CRM speaking our REST contract: its address and an API token. */
export function RestConnectionFields({
  saved,
  handle,
  errorFor,
  actions,
}: CrmVendorFieldsProps<RestConnection>) {
  const [baseUrl, setBaseUrl] = useState(saved?.baseUrl ?? '');
  const [token, setToken] = useState(saved?.token ?? '');
  const id = useId();
  const problemId = useId();
  useImperativeHandle(handle, () => ({
    read: () => readWithSchema(RestConnection, { type: 'rest', baseUrl, token }, { token: TOKEN_TOO_LONG }),
  }));
  return (
    <>
      <PolicyLock policies={['crmBaseUrl']}>
        <div className="field">
          <label htmlFor={id}>Base URL</label>
          <input
            id={id}
            type="url"
            inputMode="url"
            autoComplete="url"
            placeholder="https://crm.example.com"
            value={baseUrl}
            onChange={(e) => setBaseUrl(e.target.value)}
            {...problemProps(errorFor('baseUrl'), problemId)}
          />
          <FieldProblemText id={problemId} message={errorFor('baseUrl')} />
        </div>
      </PolicyLock>
      <TokenField label="API token" value={token} onChange={setToken} problem={errorFor('token')} />
      {actions()}
    </>
  );
}
