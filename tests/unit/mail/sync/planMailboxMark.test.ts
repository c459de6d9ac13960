import { describe, expect, it } from 'vitest';
import { MARK_PENDING_WINDOW_MS, planMailboxMark } from '../../../../lib/mail/sync/planMailboxMark';
import { DEFAULT_MAILBOX_MARKS, MailboxMarkSettings } from '../../../../lib/settings/MailboxMarkSettings';

const NOW = Date.parse('2026-12-07T20:00:00Z');
const ALL_ON = MailboxMarkSettings.parse({ labelLogged: true, archiveLogged: true });

function plan(overrides: Partial<Parameters<typeof planMailboxMark>[0]> = {}) {
  return planMailboxMark({
    logged: true,
    inInbox: true,
    createdAt: NOW - 60_000,
    now: NOW,
    settings: ALL_ON,
    writeAccess: true,
    ...overrides,
  });
}

describe('planMailboxMark: what the mailbox gets for a remembered message', () => {
  it('labels and archives a logged received message in the inbox', () => {
    expect(plan()).toEqual({ action: 'mark', label: true, archive: true });
  });

  it('never archives sent mail (or anything not in the inbox), but labels it', () => {
    expect(plan({ inInbox: false })).toEqual({ action: 'mark', label: true, archive: false });
  });

  it('never touches a message the CRM does not hold (queued, retrying or failed): it waits', () => {
    expect(plan({ logged: false })).toEqual({ action: 'wait' });
    expect(plan({ logged: false, inInbox: false })).toEqual({ action: 'wait' });
  });

  it('gives up on a message that never reached the CRM within the window, without marking it', () => {
    expect(plan({ logged: false, createdAt: NOW - MARK_PENDING_WINDOW_MS - 1 })).toEqual({
      action: 'give_up',
    });
    expect(plan({ logged: false, createdAt: NOW - MARK_PENDING_WINDOW_MS })).toEqual({ action: 'wait' });
  });

  it('writes nothing without the write scope: logged only', () => {
    expect(plan({ writeAccess: false })).toEqual({ action: 'logged' });
  });

  it('writes nothing with both options off (the default)', () => {
    expect(DEFAULT_MAILBOX_MARKS).toMatchObject({ labelLogged: false, archiveLogged: false });
    expect(plan({ settings: DEFAULT_MAILBOX_MARKS })).toEqual({ action: 'logged' });
  });

  it('archives without a label, or labels without archiving, as set', () => {
    const archiveOnly = MailboxMarkSettings.parse({ archiveLogged: true });
    expect(plan({ settings: archiveOnly })).toEqual({ action: 'mark', label: false, archive: true });
    expect(plan({ settings: archiveOnly, inInbox: false })).toEqual({ action: 'logged' });
    const labelOnly = MailboxMarkSettings.parse({ labelLogged: true });
    expect(plan({ settings: labelOnly })).toEqual({ action: 'mark', label: true, archive: false });
  });
});

describe('MailboxMarkSettings', () => {
  it('defaults to CRM/Logged and "Logged to CRM", and refuses a label name with an empty level', () => {
    expect(DEFAULT_MAILBOX_MARKS).toMatchObject({
      gmailLabel: 'CRM/Logged',
      outlookCategory: 'Logged to CRM',
      threadListMarker: true,
    });
    expect(MailboxMarkSettings.safeParse({ gmailLabel: 'CRM//Logged' }).success).toBe(false);
    expect(MailboxMarkSettings.safeParse({ gmailLabel: '/CRM' }).success).toBe(false);
    expect(MailboxMarkSettings.safeParse({ outlookCategory: '  ' }).success).toBe(false);
  });
});
