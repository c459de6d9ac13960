import { z } from 'zod';
import { MailAddress } from '../../MailMessage';

/** At most this many people are taken from a page (a snapshot message's recipient cap). */
export const GMAIL_PAGE_PEOPLE_MAX = 500;

/**
 * The people Gmail's page shows on the open email, read from the one piece of its markup that
 * has stayed put for over a decade: every person is an element carrying `email` (and `name`)
 * attributes, e.g. `<span class="gD" email="…" name="…">` for a sender and `.g2` for a
 * recipient. gmail.js has read exactly these attributes since 2014
 * (https://github.com/KartikTalwar/gmail.js, src/gmail.js: `from: "span[email].gD"`,
 * `to: "span[email].g2"`, added in commit c32eadd of 2014-11-08 and unchanged in 2026),
 * and its `api.dom.inbox_content` is `div[role=main]`, the region searched here. The class
 * names are not relied on; only the attributes, visible ones only (Gmail keeps the hidden
 * list in the page while a thread is open).
 *
 * Run in the tab by `scripting.executeScript` (the background's side-panel fallback when no
 * Gmail mailbox is connected), so it is self-contained: no imports, no closures. Its answer is
 * parsed with GmailPagePeople before use.
 */
export function readGmailPagePeople(): { url: string; people: { address: string; name: string }[] } {
  const max = 500;
  const found = new Map<string, string>();
  for (const element of Array.from(document.querySelectorAll('[role="main"] [email]'))) {
    const visible = element as Element & { checkVisibility?: () => boolean };
    if (typeof visible.checkVisibility === 'function' && !visible.checkVisibility()) continue;
    const address = (element.getAttribute('email') ?? '').trim().toLowerCase();
    if (address === '' || found.has(address)) continue;
    found.set(address, (element.getAttribute('name') ?? '').trim().slice(0, 200));
    if (found.size >= max) break;
  }
  return { url: location.href, people: [...found].map(([address, name]) => ({ address, name })) };
}

const isAddress = (address: string) => z.email().safeParse(address).success;

/**
 * The boundary: what the page answered, checked (a page can put anything in an attribute);
 * a value that is not an email address is dropped, not trusted.
 */
export const GmailPagePeople = z.object({
  url: z.string().max(4096),
  people: z
    .array(z.object({ address: z.string().max(320), name: z.string().max(200) }))
    .max(GMAIL_PAGE_PEOPLE_MAX)
    .transform((people) => people.filter((p) => isAddress(p.address)).map((p) => MailAddress.parse(p))),
});
export type GmailPagePeople = z.infer<typeof GmailPagePeople>;
