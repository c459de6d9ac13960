import { SEED } from '../../server/seed';
import {
  ask,
  configureGoogleApp,
  createGoogleFakes,
  type GoogleFakes,
} from '../../tests/e2e/harness/mailboxSync';
import type { E2eEnvironment } from '../../tests/e2e/harness/startE2eEnvironment';

/**
 * Gmail in the demo, honestly: Gmail's own page cannot be served offline and is never imitated,
 * so the demo's mail.google.com tab is a plain page (tests/e2e/fixtures/gmail/inbox.html) and
 * the Gmail thread is shown by the browser's side panel, which reads it through the Gmail API
 * (the strict fake of tests/fakes/FakeGmailApi.ts, at Google's real hosts) and not the page.
 * The demo rep's Gmail mailbox is connected through the Google-shaped OAuth fake.
 */
export interface DemoGmail {
  google: GoogleFakes;
  /** The thread's address in Gmail: an older link's form, carrying the API thread id. */
  url: string;
  subject: string;
  caption: string;
}

const me = SEED.demoUser;
const ben = SEED.contacts.withAlternate;

/** The fakes at Google's hosts, with one received thread in the demo rep's mailbox. */
export function createDemoGmail(): DemoGmail {
  const google = createGoogleFakes(me.email);
  const subject = 'Second site: delivery dates';
  const at = Date.now() - 3 * 3_600_000;
  // Headers as RFC 5322 §3.6 spells them; Gmail's labels for received mail
  // (developers.google.com/gmail/api/guides/labels). The people are the seed's.
  const message = google.gmail.sendMessage(me.email, {
    labelIds: ['INBOX', 'UNREAD', 'CATEGORY_PERSONAL'],
    internalDate: at,
    headers: [
      { name: 'From', value: `"${ben.name}" <${ben.email}>` },
      { name: 'To', value: `${me.name} <${me.email}>` },
      { name: 'Subject', value: subject },
      { name: 'Date', value: new Date(at).toUTCString().replace('GMT', '+0000') },
      { name: 'Message-ID', value: `<CADEMO-second-site-${at.toString(36)}@mail.gmail.com>` },
    ],
    snippet: 'Could we move the second site’s delivery to the first week of next month?',
  });
  return {
    google,
    // https://github.com/googleworkspace/cli/issues/790: older Gmail links end in the API thread id.
    url: `https://mail.google.com/mail/u/0/#inbox/${message.threadId}`,
    subject,
    caption: 'Gmail in the browser’s side panel: the thread read through the Gmail API, not Gmail’s page.',
  };
}

/** The admin's Google app and the rep's consent, as the guided set-up's mailbox step does them. */
export async function connectDemoGmail(env: E2eEnvironment, gmail: DemoGmail): Promise<void> {
  await configureGoogleApp(env.browser, gmail.google);
  await ask(env.browser, 'mailbox.connect', { provider: 'gmail' });
}
