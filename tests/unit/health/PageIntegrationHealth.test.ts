import { describe, expect, it } from 'vitest';
import { describePageIntegration } from '../../../lib/health/describePageIntegration';
import {
  initialPageIntegrationState,
  nextPageHealth,
  type PageHealthSignal,
  type PageIntegrationState,
} from '../../../lib/health/PageIntegrationHealth';
import { isGmailThreadUrl, ThreadReadWatchdog } from '../../../lib/health/ThreadReadWatchdog';

const at = (minute: number) => new Date(Date.UTC(2026, 11, 7, 14, minute));

function run(signals: [PageHealthSignal, number][]): { state: PageIntegrationState; transitions: string[] } {
  let state = initialPageIntegrationState('gmail');
  const transitions: string[] = [];
  for (const [signal, minute] of signals) {
    const step = nextPageHealth(state, signal, at(minute), `${signal} at ${minute}`);
    state = step.state;
    if (step.transition) transitions.push(step.transition);
  }
  return { state, transitions };
}

describe('nextPageHealth', () => {
  it('counts the integration broken after two thread URLs in a row without a readable thread, since the first', () => {
    const { state, transitions } = run([
      ['started', 0],
      ['thread_read', 1],
      ['thread_unreadable', 5],
      ['thread_unreadable', 6],
    ]);
    expect(state).toMatchObject({ state: 'broken', since: at(5).toISOString(), unreadableInARow: 2 });
    expect(transitions).toEqual(['broke']);
  });

  it('forgives one miss: a slow page or a deleted message is not a redesign', () => {
    const { state, transitions } = run([
      ['thread_read', 1],
      ['thread_unreadable', 2],
      ['thread_read', 3],
      ['thread_unreadable', 4],
    ]);
    expect(state.state).toBe('working');
    expect(transitions).toEqual([]);
  });

  it('breaks at once when the integration cannot start, and recovers on the next read', () => {
    const broken = run([['start_failed', 0]]);
    expect(broken.state).toMatchObject({ state: 'broken', since: at(0).toISOString() });
    const { state, transitions } = run([
      ['start_failed', 0],
      ['thread_unreadable', 1],
      ['thread_read', 9],
    ]);
    expect(state).toMatchObject({ state: 'working', since: at(9).toISOString(), unreadableInARow: 0 });
    expect(transitions).toEqual(['broke', 'recovered']);
  });

  it('keeps the time it broke while more misses come in', () => {
    const { state, transitions } = run([
      ['thread_unreadable', 1],
      ['thread_unreadable', 2],
      ['thread_unreadable', 30],
      ['started', 31],
    ]);
    expect(state).toMatchObject({ state: 'broken', since: at(1).toISOString() });
    expect(transitions).toEqual(['broke']);
  });
});

describe('describePageIntegration', () => {
  const broken = run([
    ['thread_unreadable', 5],
    ['thread_unreadable', 6],
  ]).state;
  const formatTime = (iso: string) => iso.slice(11, 16);

  it('says what stopped, since when, why, and what still works', () => {
    expect(
      describePageIntegration(broken, { mailboxConnected: true, sidePanelAvailable: true, formatTime }),
    ).toBe(
      'The Gmail panel is not working since 14:05: Gmail’s page changed and the extension cannot read the open email there. Sent mail is still logged by the mailbox sync; the side panel still shows the CRM beside the email.',
    );
  });

  it('without a connected mailbox, says how to keep sent mail logged', () => {
    expect(
      describePageIntegration(broken, { mailboxConnected: false, sidePanelAvailable: false, formatTime }),
    ).toContain('Connect your Gmail mailbox in the settings so sent mail is still logged.');
  });

  it('says nothing while the panel works', () => {
    expect(
      describePageIntegration(run([['thread_read', 1]]).state, {
        mailboxConnected: false,
        sidePanelAvailable: false,
      }),
    ).toBeNull();
  });
});

describe('ThreadReadWatchdog', () => {
  function watchdog(isThreadUrl: (url: string) => boolean) {
    const reports: string[] = [];
    const timers: (() => void)[] = [];
    const dog = new ThreadReadWatchdog({
      isThreadUrl,
      report: (signal) => reports.push(signal),
      setTimer: (fire) => timers.push(fire) - 1,
      clearTimer: (id) => {
        timers[id as number] = () => undefined;
      },
    });
    const fireTimers = () => {
      for (const fire of timers.splice(0)) fire();
    };
    return { dog, reports, fireTimers };
  }

  it('reports a thread URL that never shows a readable thread, once', () => {
    const { dog, reports, fireTimers } = watchdog(() => true);
    dog.urlChanged('https://mail.google.com/mail/u/0/#inbox/FMfcgzQgLjNPlfJCVRfnNkPGkLhWClCW');
    fireTimers();
    fireTimers();
    expect(reports).toEqual(['thread_unreadable']);
  });

  it('reports a read thread once per URL, and nothing when the thread was read in time', () => {
    const { dog, reports, fireTimers } = watchdog(() => true);
    dog.urlChanged('https://mail.google.com/mail/u/0/#inbox/FMfcgzQgLjNPlfJCVRfnNkPGkLhWClCW');
    dog.threadRead();
    dog.threadRead();
    fireTimers();
    expect(reports).toEqual(['thread_read']);
  });

  it('never reports on pages that are not a thread (no false alarms on the list, settings, search)', () => {
    const { dog, reports, fireTimers } = watchdog(isGmailThreadUrl);
    for (const url of [
      'https://mail.google.com/mail/u/0/#inbox',
      'https://mail.google.com/mail/u/0/#settings/general',
      'https://mail.google.com/mail/u/0/#search/pricing',
      'https://mail.google.com/mail/u/0/#label/Customers',
    ]) {
      dog.urlChanged(url);
      fireTimers();
    }
    expect(reports).toEqual([]);
  });
});

describe('isGmailThreadUrl', () => {
  // URL forms from https://github.com/googleworkspace/cli/issues/790 and /858 (opaque tokens,
  // 16-hex legacy ids) and public links such as #search/<query>/<token>.
  it.each([
    ['https://mail.google.com/mail/u/0/#inbox/FMfcgzQgLjNPlfJCVRfnNkPGkLhWClCW', true],
    ['https://mail.google.com/mail/u/0/#search/audit+chvinit_sent/FMfcgzQZTVmsGJdMwHpjBFsJZHRSvlKq', true],
    ['https://mail.google.com/mail/u/0/#all/19e1acd465710c93', true],
    ['https://mail.google.com/mail/u/0/#inbox/FMfcgzGqQmVWscxlMcnPHNXZGVSBFNnL?projector=1', true],
    ['https://mail.google.com/mail/u/0/#inbox', false],
    ['https://mail.google.com/mail/u/0/#settings/general', false],
    ['https://mail.google.com/mail/u/0/#search/quarterly+pricing', false],
    ['not a url', false],
  ])('%s -> %s', (url, expected) => {
    expect(isGmailThreadUrl(url)).toBe(expected);
  });
});
