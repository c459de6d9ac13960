import type { Page } from 'playwright-core';

export interface FixturePerson {
  name: string;
  address: string;
}

export interface FixtureConversation {
  id: string;
  folder: 'inbox' | 'sentitems';
  subject: string;
  messages: {
    itemId: string;
    from: FixturePerson;
    to: FixturePerson[];
    cc: FixturePerson[];
    date: string;
    body: string;
    hasAttachments?: boolean;
  }[];
}

export const OUTLOOK_ORIGIN = 'https://outlook.office.com';

/** Loads the Outlook fixture app with the given conversations and opens the first. */
export async function openOutlookConversation(
  page: Page,
  conversations: FixtureConversation[],
  openId = conversations[0]!.id,
  origin = OUTLOOK_ORIGIN,
): Promise<void> {
  if (!page.url().startsWith(origin)) await page.goto(`${origin}/mail/inbox`);
  await page.evaluate((list) => {
    (
      window as unknown as { __outlookFixture: { setConversations(l: unknown): void } }
    ).__outlookFixture.setConversations(list);
  }, conversations);
  await page.evaluate((id) => {
    (window as unknown as { __outlookFixture: { open(id: string): void } }).__outlookFixture.open(id);
  }, openId);
}

export function conversation(
  id: string,
  subject: string,
  from: FixturePerson,
  to: FixturePerson[],
  options: { cc?: FixturePerson[]; body?: string; folder?: 'inbox' | 'sentitems'; date?: string } = {},
): FixtureConversation {
  return {
    id,
    folder: options.folder ?? 'inbox',
    subject,
    messages: [
      {
        itemId: `ITEM-${id}`,
        from,
        to,
        cc: options.cc ?? [],
        date: options.date ?? '2026-11-20T09:14:00Z',
        body: options.body ?? `Hello, this is ${subject}.`,
      },
    ],
  };
}

/** The same conversation with one more message on top (a reply), as Outlook shows it. */
export function withReply(
  conv: FixtureConversation,
  from: FixturePerson,
  to: FixturePerson[],
  options: { date: string; body?: string },
): FixtureConversation {
  const n = conv.messages.length + 1;
  return {
    ...conv,
    messages: [
      ...conv.messages,
      {
        itemId: `ITEM-${conv.id}-${n}`,
        from,
        to,
        cc: [],
        date: options.date,
        body: options.body ?? `Reply ${n} on ${conv.subject}.`,
      },
    ],
  };
}
