import type { Page } from 'playwright-core';
import { SEED } from '../../server/seed';
import {
  conversation,
  type FixtureConversation,
  OUTLOOK_ORIGIN,
  openOutlookConversation,
} from '../../tests/e2e/harness/outlookConversations';

/**
 * The demo mailbox: a handful of Outlook-on-the-web threads, each showing one panel state
 * against the seeded reference CRM (server/seed.ts). They are shown in the Outlook fixture
 * app of the e2e suite (tests/e2e/fixtures, served at https://outlook.office.com by the
 * harness), so the demo always runs on the same page model the tests check.
 *
 * The people are the seed's, or made up for the demo where a state needs someone the CRM
 * does not know; none is taken from real mail.
 */
export type DemoState = 'known' | 'unknown' | 'colleague' | 'automated' | 'loggedByColleague';

export interface DemoThread {
  state: DemoState;
  /** What the panel shows for it, in words (README, screenshots, the demo's console). */
  caption: string;
  /** Text the panel shows once this state is painted, as a person reads it there. */
  shows: string | RegExp;
  conversation: FixtureConversation;
}

/** Dates follow the day the demo runs, like the seed's history, so the mail looks recent. */
const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();
const me = { name: SEED.demoUser.name, address: SEED.demoUser.email };
const alice = { name: SEED.contacts.primary.name, address: SEED.contacts.primary.email };
const colleague = { name: SEED.colleague.name, address: SEED.colleague.email };

export const DEMO_THREADS: readonly DemoThread[] = [
  {
    state: 'known',
    shows: 'Acme Robotics: fleet automation pilot',
    caption: 'A known contact: card with company, open deal and recent activity; one click logs the email.',
    conversation: conversation('DEMO-KNOWN', 'Pilot results and next steps', alice, [me], {
      body: 'Hi Dana, we reviewed the pilot results internally and would like to discuss a wider rollout before the end of the quarter.',
      date: hoursAgo(2),
    }),
  },
  {
    state: 'unknown',
    shows: 'Globex Logistics',
    caption: 'An unknown sender at a known company: the company is recognised and a contact can be created.',
    conversation: conversation(
      'DEMO-UNKNOWN',
      'Introduction: logistics tender',
      { name: 'Priya Raman', address: 'priya.raman@globex-logistics.io' },
      [me],
      {
        body: 'Hello Dana, I lead procurement at Globex and was given your name for our upcoming tender.',
        date: hoursAgo(5),
      },
    ),
  },
  {
    state: 'colleague',
    // Outlook shows people of the rep's own organisation by name only (tests/fixtures/outlook:
    // colleague-name-only), so the panel has a name and no address to look up or log.
    shows: 'Sam Okafor',
    caption:
      'Mail from a colleague: Outlook shows colleagues by name only, so nothing is looked up or logged.',
    conversation: conversation('DEMO-COLLEAGUE', 'Pricing sign-off for Acme', colleague, [me], {
      body: 'Dana, finance approved the volume discount for Acme. Go ahead with the proposal.',
      date: hoursAgo(20),
    }),
  },
  {
    state: 'automated',
    // The reason's exact words come from the automated-mail detector; the panel always names it automated.
    shows: /automated/i,
    caption: 'Automated mail (a no-reply sender): skipped, with the reason shown.',
    conversation: conversation(
      'DEMO-AUTOMATED',
      'Your invoice INV-2291 is ready',
      { name: 'Acme Robotics Billing', address: 'no-reply@acme-robotics.com' },
      [me],
      {
        body: 'Your monthly invoice is ready to download. This mailbox is not monitored.',
        date: hoursAgo(30),
      },
    ),
  },
  {
    state: 'loggedByColleague',
    shows: 'Already logged by Sam Okafor',
    caption: 'Already logged by a colleague: the panel says who, and does not log it twice.',
    conversation: conversation('DEMO-LOGGED', 'Re: onboarding timeline', alice, [me, colleague], {
      body: 'Thanks both, the timeline works for us. See you on Monday.',
      date: hoursAgo(50),
    }),
  },
];

/** The first page of the demo: the Outlook inbox with the first thread open. */
export const DEMO_START_URL = `${OUTLOOK_ORIGIN}/mail/inbox`;

/** Loads the demo threads into the Outlook page and opens one (the first by default). */
export async function showDemoThread(page: Page, state: DemoState = DEMO_THREADS[0]!.state): Promise<void> {
  const thread = DEMO_THREADS.find((t) => t.state === state)!;
  await openOutlookConversation(
    page,
    DEMO_THREADS.map((t) => t.conversation),
    thread.conversation.id,
  );
}
