// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { CrmPanel } from '../../../components/panel/CrmPanel';
import {
  activity,
  contact,
  contactCard,
  deal,
  fakeApi,
  messageStatus,
  snapshot,
  threadView,
  unknownParticipant,
} from './fixtures';

afterEach(cleanup);

const SCRIPT = '<script>window.__pwned = true</script>';
const IMG = '<img src=x onerror="window.__pwned = true">';

describe('CrmPanel with hostile CRM and mail data', () => {
  it('renders HTML payloads in names, subjects and snippets as plain text', async () => {
    const view = threadView({
      crmUser: { id: 'u_x', name: `Rita ${IMG}` },
      notice: `Notice ${SCRIPT}`,
      known: [
        contactCard({
          contact: contact({
            name: `Jane ${SCRIPT}`,
            title: `CTO ${IMG}`,
            ownerName: `Owner ${IMG}`,
            lifecycleStage: SCRIPT,
          }),
          company: {
            id: 'co_x',
            name: `Evil ${IMG} Ltd`,
            domains: ['evil.example'],
            url: 'https://crm.example/co_x',
          },
          deals: [deal({ name: `Deal ${SCRIPT}`, stage: IMG })],
          recentActivities: [activity({ subject: `Subject ${SCRIPT}`, snippet: `Snippet ${IMG}` })],
        }),
      ],
      unknown: [unknownParticipant({ name: `Sam ${IMG}`, suggestedName: `Sam ${SCRIPT}`, canCreate: true })],
      messages: [
        messageStatus({ subject: `Log ${SCRIPT}`, fromName: `From ${IMG}` }),
        messageStatus({
          providerMessageId: 'msg-2',
          subject: 'Failed one',
          state: 'failed',
          error: `Error ${IMG}`,
        }),
        messageStatus({
          providerMessageId: 'msg-3',
          subject: 'Skipped',
          state: 'not_loggable',
          reason: `Reason ${SCRIPT}`,
        }),
      ],
    });
    const { container } = render(
      <CrmPanel snapshot={snapshot()} api={fakeApi({ 'thread.open': async () => view })} />,
    );
    await screen.findByText(`Jane ${SCRIPT}`);
    fireEvent.click(screen.getByRole('button', { name: 'Create contact' }));

    for (const text of [
      `Rita ${IMG}`,
      `Notice ${SCRIPT}`,
      `CTO ${IMG}`,
      `Owner ${IMG}`,
      `Deal ${SCRIPT}`,
      `Subject ${SCRIPT}`,
      `Snippet ${IMG}`,
      `Sam ${IMG}`,
      `Log ${SCRIPT}`,
      `Error ${IMG}`,
      `Reason ${SCRIPT}`,
    ]) {
      expect(container.textContent).toContain(text);
    }
    expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe(`Sam ${SCRIPT}`);
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('[onerror]')).toBeNull();
    expect((window as unknown as { __pwned?: boolean }).__pwned).toBeUndefined();
  });
});
