import { useEffect, useState } from 'react';
import type { ExtensionStatus } from '../../lib/messaging/messages';
import { sendToBackground } from '../../lib/platform/runtime';

export function PopupApp() {
  const [status, setStatus] = useState<ExtensionStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    sendToBackground('status.get', {}).then(setStatus, (e: Error) => setError(e.message));
  }, []);
  return (
    <main style={{ minWidth: 280, padding: 12, fontFamily: 'system-ui, sans-serif' }}>
      <h1 style={{ fontSize: 16, margin: 0 }}>CRM Sidebar</h1>
      {error && <p role="alert">{error}</p>}
      {!status && !error && <p aria-busy="true">Loading…</p>}
      {status && (
        <>
          <p data-testid="version">Version {status.version}</p>
          <p data-testid="crm-state">
            {status.crmConfigured ? `Connected to ${status.crmBaseUrl}` : 'CRM not configured'}
          </p>
        </>
      )}
    </main>
  );
}
