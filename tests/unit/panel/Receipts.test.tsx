// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { CrmPanel } from '../../../components/panel/CrmPanel';
import { MailboxStateView } from '../../../components/shared/MailboxStateView';
import { describeSkip, describeSkipCount } from '../../../lib/logging/describeSkip';
import { parseSkipCountKey, SkipRule, skipCountKey, skipReason } from '../../../lib/logging/SkipReason';
import { AutomatedCategory } from '../../../lib/mail/detectAutomatedMail';
import { MailboxStatus } from '../../../lib/messaging/messages';
import type { MessageLogStatus } from '../../../lib/panel/ThreadView';
import { fakeApi, hoursAgo, messageStatus, snapshot, threadView } from './fixtures';

afterEach(cleanup);

const JANE = { id: 'ct_jane', name: 'Jane Doe' };
const SAM = { id: 'ct_sam', name: 'Sam Lee' };

function row(subject: string): HTMLElement {
  const li = screen.getByText(subject, { selector: '.crm-log-subject' }).closest('li');
  if (!li) throw new Error(`no receipt for ${subject}`);
  return li;
}

async function renderReceipts(messages: MessageLogStatus[]) {
  const api = fakeApi({ 'thread.open': async () => threadView({ messages }) });
  render(
    <CrmPanel
      snapshot={snapshot(
        'thread-renewal',
        messages.map((m) => m.providerMessageId),
      )}
      api={api}
    />,
  );
  await screen.findByText(messages[0]!.subject, { selector: '.crm-log-subject' });
  return api;
}

function receipt(n: number, subject: string, overrides: Partial<MessageLogStatus>): MessageLogStatus {
  return messageStatus({ providerMessageId: `msg-${n}`, subject, contacts: [JANE], ...overrides });
}

describe('receipts for each message of the thread', () => {
  it('shows every state: logged by me and by a colleague (when, to whom, which deal), queued, failed with retry, skipped by rule, not logged', async () => {
    const api = await renderReceipts([
      receipt(1, 'Mine', {
        state: 'logged',
        loggedAt: hoursAgo(2),
        loggedBy: [{ userId: 'u_rita', name: 'Rita Rep', self: true }],
        contacts: [JANE, SAM],
        deal: { id: 'deal_1', name: 'Acme renewal 2025' },
      }),
      receipt(2, 'Colleague', {
        state: 'logged',
        loggedAt: hoursAgo(26),
        loggedBy: [{ userId: 'u_ana', name: 'Ana Admin', self: false }],
        deal: { id: null, name: null },
      }),
      receipt(3, 'Waiting', { state: 'queued' }),
      receipt(4, 'Broken', { state: 'failed', error: 'The CRM is not reachable.' }),
      receipt(5, 'Newsletter', {
        state: 'not_logged',
        skip: skipReason('automated', 'List-Unsubscribe and Precedence: bulk', 'newsletter'),
      }),
      receipt(6, 'Excluded', {
        state: 'not_loggable',
        contacts: [],
        skip: skipReason('never_log', 'bob@partner.example'),
      }),
      receipt(7, 'Fresh', { state: 'not_logged' }),
    ]);

    const mine = row('Mine');
    expect(mine.textContent).toContain('Logged 2 hours ago by You');
    expect(mine.textContent).toContain('to Jane Doe, Sam Lee · deal: Acme renewal 2025');
    expect(within(mine).queryByRole('button')).toBeNull();

    const colleague = row('Colleague');
    expect(colleague.textContent).toContain('Already logged by Ana Admin yesterday');
    expect(colleague.textContent).toContain('to Jane Doe · no deal');

    expect(row('Waiting').textContent).toContain('Queued — will be sent when the CRM is reachable');
    expect(row('Waiting').textContent).toContain('to Jane Doe');

    const broken = row('Broken');
    expect(broken.textContent).toContain('The CRM is not reachable.');
    fireEvent.click(within(broken).getByRole('button', { name: 'Retry logging “Broken”' }));
    expect(api.outbox.retry).toHaveBeenCalled();

    const newsletter = row('Newsletter');
    expect(newsletter.querySelector('[data-skip-rule="automated"]')?.textContent).toBe(
      'Not logged by the sync: automated mail (a newsletter)List-Unsubscribe and Precedence: bulk',
    );
    expect(within(newsletter).getByRole('button', { name: 'Log email “Newsletter”' })).toBeTruthy();

    const excluded = row('Excluded');
    expect(excluded.querySelector('[data-skip-rule="never_log"]')?.textContent).toBe(
      'Skipped: on your never-log listbob@partner.example',
    );
    expect(within(excluded).queryByRole('button')).toBeNull();

    const fresh = row('Fresh');
    expect(within(fresh).getByRole('button', { name: 'Log email “Fresh”' })).toBeTruthy();
    expect(fresh.textContent).toContain('Logs to Jane Doe');
  });

  it('words every skip rule in the receipt, with its specifics', async () => {
    const rules = SkipRule.options;
    await renderReceipts(
      rules.map((rule, n) =>
        receipt(n + 1, `Skipped ${rule}`, {
          state: 'not_loggable',
          skip: skipReason(rule, `detail of ${rule}`, rule === 'automated' ? 'bounce' : null),
        }),
      ),
    );
    for (const rule of rules) {
      const line = row(`Skipped ${rule}`).querySelector(`[data-skip-rule="${rule}"]`);
      const words = describeSkip(skipReason(rule, '', rule === 'automated' ? 'bounce' : null)).rule;
      expect(line?.textContent).toBe(`Skipped: ${words}detail of ${rule}`);
      // Worded, not the raw key.
      expect(words).not.toContain('_');
    }
  });
});

describe('what logging shares, before the first log of a thread', () => {
  it('says what the privacy level shares and links to the setting, until something is logged', async () => {
    const api = fakeApi({
      'thread.open': async () =>
        threadView({ privacyLevel: 'metadata', messages: [receipt(1, 'First', { state: 'not_logged' })] }),
    });
    render(<CrmPanel snapshot={snapshot('thread-renewal', ['msg-1'])} api={api} />);
    const line = await screen.findByTestId('crm-sharing');
    expect(line.textContent).toBe(
      'Logging shares: sender, recipients, date and whether it has attachments. Change what is shared',
    );
    fireEvent.click(within(line).getByRole('button', { name: 'Change what is shared' }));
    expect(api.options.open).toHaveBeenCalledWith({ route: '#setup/privacy' });
  });

  it('is gone once the thread has a logged message', async () => {
    await renderReceipts([
      receipt(1, 'Done', { state: 'logged', loggedBy: [{ userId: 'u_rita', name: 'Rita Rep', self: true }] }),
      receipt(2, 'Next', { state: 'not_logged' }),
    ]);
    expect(screen.queryByTestId('crm-sharing')).toBeNull();
  });
});

describe('one wording table for receipts and the popup', () => {
  it('every rule and every automated-mail kind has count words, and count keys round-trip', () => {
    for (const rule of SkipRule.options) {
      const key = skipCountKey({ rule, automated: null });
      expect(parseSkipCountKey(key)).toEqual({ rule, automated: null });
      expect(describeSkipCount(key)).toMatch(/^[a-zA-Z][\w\s:,-]+$/);
    }
    for (const kind of AutomatedCategory.options) {
      const key = skipCountKey({ rule: 'automated', automated: kind });
      expect(key).toBe(`automated:${kind}`);
      expect(describeSkipCount(key)).not.toBe(describeSkipCount('automated'));
    }
    expect(describeSkipCount('automated:newsletter')).toBe('newsletters');
    expect(describeSkipCount('free_mail')).toBe('free-mail address');
    // A key no version of the rules wrote stays readable.
    expect(describeSkipCount('some_new_reason')).toBe('some new reason');
  });

  it('the popup’s sync figures show the same reasons as the receipts', () => {
    const mailbox = MailboxStatus.parse({
      id: 'mb1',
      provider: 'gmail',
      address: 'rita@ourco.example',
      primary: true,
      state: 'connected',
      lastSyncAt: hoursAgo(0),
      lastError: null,
      progress: null,
      skippedReasons: { 'automated:newsletter': 3, never_log: 1, free_mail: 2, privacy: 4 },
    });
    render(
      <MailboxStateView
        mailbox={mailbox}
        now={Date.now()}
        onReconnect={() => undefined}
        reconnecting={false}
      />,
    );
    expect(screen.getByText(/^Skipped:/).textContent).toBe(
      'Skipped: newsletters 3, never-log list 1, free-mail address 2, privacy settings 4',
    );
  });
});
