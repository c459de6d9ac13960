import { describePageIntegration } from '../../lib/health/describePageIntegration';
import type { ExtensionStatus } from '../../lib/messaging/messages';

/**
 * A broken page integration (Gmail's or Outlook's page changed and the panel cannot read the
 * open email) in words: since when, and what still works. Nothing while the panels work.
 */
export function PageIntegrationNotices({
  status,
  sidePanelAvailable = false,
  formatTime,
}: {
  status: Pick<ExtensionStatus, 'pageIntegrations' | 'mailboxes'>;
  sidePanelAvailable?: boolean;
  formatTime?: (iso: string) => string;
}) {
  const notices = status.pageIntegrations.flatMap((integration) => {
    const text = describePageIntegration(integration, {
      mailboxConnected: status.mailboxes.some(
        (m) => m.provider === integration.provider && m.state !== 'disconnected',
      ),
      sidePanelAvailable,
      formatTime,
    });
    return text ? [{ provider: integration.provider, text }] : [];
  });
  if (notices.length === 0) return null;
  return (
    <section aria-label="Webmail panels" className="page-integration-notices">
      {notices.map((notice) => (
        <p key={notice.provider} role="alert" className="error-box" data-provider={notice.provider}>
          {notice.text}
        </p>
      ))}
    </section>
  );
}
