// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { SyncAuditSection } from '../../../components/options/SyncAuditSection';
import { AuditSummary } from '../../../components/popup/AuditSummary';
import { createExtensionApi } from '../../../components/shared/ExtensionApi';
import type { SyncAuditReport } from '../../../lib/audit/SyncAuditReport';
import { FakeBackground, mailboxFixture } from './FakeBackground';

const NOW = Date.parse('2025-03-10T12:00:00Z');

/** A report as the background answers it (lib/audit/SyncAuditReport). */
function reportFixture(overrides: Partial<SyncAuditReport> = {}): SyncAuditReport {
  return {
    mailboxId: 'mbx-1',
    address: 'rep@acme.test',
    windowDays: 30,
    from: '2025-02-08T12:00:00.000Z',
    to: '2025-03-10T11:00:00.000Z',
    folders: ['sent'],
    state: 'done',
    startedAt: '2025-03-10T11:00:00.000Z',
    finishedAt: '2025-03-10T11:02:00.000Z',
    progress: { scanned: 1000, total: 1000 },
    counts: { scanned: 1000, logged: 920, skipped: 30, missing: 50 },
    skippedByRule: [
      { rule: 'never_log', example: 'legal@partner.example', count: 10 },
      { rule: 'internal', example: '', count: 10 },
      { rule: 'no_message_id', example: '', count: 10 },
    ],
    missing: Array.from({ length: 50 }, (_, i) => ({
      externalId: `m${i}@mail.example`,
      folder: 'sent' as const,
      subject: `Proposal ${i}`,
      date: '2025-03-01T09:00:00.000Z',
      counterparties: ['ana@globex.example'],
      missingContactIds: ['c1'],
    })),
    crmRequests: 22,
    error: null,
    logMissing: null,
    ...overrides,
  };
}

function renderSection(background: FakeBackground, mailboxes = [mailboxFixture()]) {
  const api = createExtensionApi(background.send, { requestOriginPermission: async () => true });
  return render(<SyncAuditSection api={api} mailboxes={mailboxes} pollIntervalMs={10} now={() => NOW} />);
}

afterEach(cleanup);

describe('SyncAuditSection (options, Mailboxes)', () => {
  it('says what to do when no mailbox is connected, and when a mailbox has no audit yet', async () => {
    renderSection(new FakeBackground({}), []);
    expect(await screen.findByText('Connect a mailbox to audit what the CRM holds for it.')).toBeTruthy();
    cleanup();
    renderSection(new FakeBackground({}));
    const item = within(await screen.findByRole('listitem', { name: 'Sync audit of rep@acme.test' }));
    expect(await item.findByText('No audit yet.')).toBeTruthy();
    expect(item.getByRole('button', { name: 'Run audit' })).toBeTruthy();
  });

  it('runs an audit over the chosen window and shows its progress until the figures arrive', async () => {
    let answers = 0;
    const background = new FakeBackground({
      'audit.list': () => {
        answers++;
        if (answers === 1) return { reports: [] };
        if (answers <= 3)
          return {
            reports: [
              reportFixture({
                state: 'running',
                windowDays: 90,
                finishedAt: null,
                progress: { scanned: 300, total: 1000 },
                counts: { scanned: 300, logged: 290, skipped: 10, missing: 0 },
                skippedByRule: [],
                missing: [],
              }),
            ],
          };
        return { reports: [reportFixture({ windowDays: 90 })] };
      },
      'audit.start': ({ mailboxId, days }) =>
        reportFixture({
          mailboxId,
          windowDays: days,
          state: 'running',
          finishedAt: null,
          progress: { scanned: 0, total: null },
        }),
    });
    renderSection(background);
    const item = within(await screen.findByRole('listitem', { name: 'Sync audit of rep@acme.test' }));
    fireEvent.change(item.getByLabelText('Window'), { target: { value: '90' } });
    fireEvent.click(item.getByRole('button', { name: 'Run audit' }));
    await waitFor(() =>
      expect(background.callsOf('audit.start')).toEqual([{ mailboxId: 'mbx-1', days: 90 }]),
    );
    const progress = await item.findByRole('progressbar', { name: 'Audit progress for rep@acme.test' });
    expect(progress.getAttribute('value')).toBe('300');
    expect(progress.getAttribute('max')).toBe('1000');
    expect(item.getByRole('button', { name: 'Auditing…' })).toHaveProperty('disabled', true);
    await waitFor(() => expect(item.getByTestId('audit-missing').textContent).toBe('50'));
    expect(item.getByTestId('audit-logged').textContent).toBe('920');
    expect(item.getByTestId('audit-skipped').textContent).toBe('30');
    const rules = within(item.getByRole('list', { name: 'Skipped by rule' }))
      .getAllByRole('listitem')
      .map((li) => li.textContent);
    expect(rules).toEqual([
      'never-log list: 10 (e.g. legal@partner.example)',
      'internal mail: 10',
      'no Message-ID: 10',
    ]);
    const missing = within(item.getByRole('list', { name: 'Missing in the CRM' })).getAllByRole('listitem');
    expect(missing).toHaveLength(10);
    expect(missing[0]?.textContent).toContain('Proposal 0');
    expect(item.getByText('…and 40 more.')).toBeTruthy();
  });

  it('logs the missing emails once: the button goes and says what was sent', async () => {
    let logged = false;
    const background = new FakeBackground({
      'audit.list': () => ({
        reports: [
          logged
            ? reportFixture({
                missing: [],
                logMissing: {
                  state: 'done',
                  queued: 50,
                  alreadyLogged: 0,
                  at: '2025-03-10T11:59:00.000Z',
                  error: null,
                },
              })
            : reportFixture(),
        ],
      }),
      'audit.logMissing': () => {
        logged = true;
        return reportFixture({
          missing: [],
          logMissing: {
            state: 'done',
            queued: 50,
            alreadyLogged: 0,
            at: '2025-03-10T11:59:00.000Z',
            error: null,
          },
        });
      },
    });
    renderSection(background);
    const item = within(await screen.findByRole('listitem', { name: 'Sync audit of rep@acme.test' }));
    fireEvent.click(await item.findByRole('button', { name: 'Log missing (50)' }));
    expect(await item.findByText('Log missing: 50 emails sent to the CRM.')).toBeTruthy();
    expect(item.queryByRole('button', { name: /Log missing/ })).toBeNull();
    expect(background.callsOf('audit.logMissing')).toEqual([{ mailboxId: 'mbx-1' }]);
  });

  it('keeps a failed Run audit in view after the reports are read again, until the next try', async () => {
    let starts = 0;
    const background = new FakeBackground({
      'audit.list': () => ({ reports: [] }),
      'audit.start': () => {
        starts++;
        if (starts === 1) throw new Error('the mailbox answered 503');
        return reportFixture({ state: 'running', finishedAt: null, progress: { scanned: 0, total: 1000 } });
      },
    });
    renderSection(background);
    const item = within(await screen.findByRole('listitem', { name: 'Sync audit of rep@acme.test' }));
    fireEvent.click(await item.findByRole('button', { name: 'Run audit' }));
    const alert = await item.findByRole('alert');
    expect(alert.textContent).toMatch(/^The audit could not be started: .*503/);
    // The read that follows every action answered fine; the sentence must outlive it.
    await waitFor(() => expect(background.callsOf('audit.list').length).toBe(2));
    await new Promise((r) => setTimeout(r, 30));
    expect(item.getByRole('alert').textContent).toMatch(/could not be started/);
    expect(screen.queryByText(/The audits could not be read/)).toBeNull();
    fireEvent.click(item.getByRole('button', { name: 'Run audit' }));
    await waitFor(() => expect(item.queryByRole('alert')).toBeNull());
    expect(starts).toBe(2);
  });

  it('shows why an audit failed, and a failure to read the audits with Try again', async () => {
    const background = new FakeBackground({
      'audit.list': () => ({
        reports: [
          reportFixture({
            state: 'failed',
            error: { kind: 'rate_limited', message: 'Gmail API 429', source: 'gmail' },
            counts: { scanned: 200, logged: 190, skipped: 10, missing: 0 },
            missing: [],
          }),
        ],
      }),
    });
    renderSection(background);
    const item = within(await screen.findByRole('listitem', { name: 'Sync audit of rep@acme.test' }));
    expect((await item.findByRole('alert')).textContent).toMatch(/^The audit did not finish: /);
    expect(item.getByRole('button', { name: 'Run the audit again' })).toHaveProperty('disabled', false);
    cleanup();
    let fail = true;
    const flaky = new FakeBackground({
      'audit.list': () => {
        if (fail) throw new Error('storage is gone');
        return { reports: [] };
      },
    });
    renderSection(flaky);
    const alert = await screen.findByRole('alert');
    fail = false;
    fireEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
  });
});

describe('AuditSummary (popup)', () => {
  it('keeps the last figures in the popup and links to settings for the missing ones', async () => {
    const background = new FakeBackground({ 'audit.list': () => ({ reports: [reportFixture()] }) });
    const api = createExtensionApi(background.send, { requestOriginPermission: async () => true });
    let opened = 0;
    render(
      <AuditSummary
        api={api}
        mailboxes={[mailboxFixture()]}
        pollIntervalMs={10}
        now={NOW}
        onOpenOptions={() => opened++}
      />,
    );
    const section = within(await screen.findByRole('region', { name: 'Sync audit' }));
    expect((await section.findByTestId('audit-missing')).textContent).toBe('50');
    expect(section.getByText(/Last 30 days, checked/)).toBeTruthy();
    fireEvent.click(section.getByRole('button', { name: 'Review and log the missing emails in settings' }));
    expect(opened).toBe(1);
  });
});
