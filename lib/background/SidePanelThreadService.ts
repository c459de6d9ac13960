import { isGmailThreadUrl } from '../health/ThreadReadWatchdog';
import { gmailApiThreadId } from '../mail/gmail/api/gmailThreadFromUrl';
import { GmailPagePeople } from '../mail/gmail/page/readGmailPagePeople';
import { parseOutlookUrl } from '../mail/outlook/page/parseOutlookUrl';
import type { MailboxApi } from '../mail/sync/MailboxProvider';
import { webmailOfUrl } from '../mail/webmailOfUrl';
import type { SidePanelThread } from '../panel/SidePanelThread';
import type { CrmSidebarDb, MailboxRow } from '../store/db';

export interface SidePanelThreadDeps {
  db: CrmSidebarDb;
  mailboxApi(id: string): Promise<{ row: MailboxRow; api: MailboxApi }>;
}

/**
 * The side panel's thread: the active tab's URL resolved through the connected mailbox's API
 * (Graph for Outlook; the Gmail API for Gmail links that carry an API thread id), one request.
 */
export class SidePanelThreadService {
  constructor(private readonly deps: SidePanelThreadDeps) {}

  /**
   * `readGmailPage`: runs readGmailPagePeople in the tab (scripting.executeScript), the fallback
   * when no Gmail mailbox is connected; its answer counts only for the URL asked about.
   */
  async threadFor(url: string | null, readGmailPage?: () => Promise<unknown>): Promise<SidePanelThread> {
    const provider = webmailOfUrl(url ?? undefined);
    if (!url || !provider) return { state: 'no_thread', provider: null };
    const isThread = provider === 'gmail' ? isGmailThreadUrl(url) : parseOutlookUrl(url).itemId !== null;
    if (!isThread) return { state: 'no_thread', provider };
    const rows = await this.deps.db.mailboxes
      .filter((m) => m.provider === provider && m.status === 'connected')
      .toArray();
    const row = rows.find((m) => m.primary) ?? rows[0];
    if (!row) {
      if (provider === 'gmail' && readGmailPage) {
        const people = await this.peopleOnPage(url, readGmailPage);
        if (people.length > 0) return { state: 'page_people', provider, people };
      }
      return { state: 'needs_mailbox', provider };
    }
    const { api } = await this.deps.mailboxApi(row.id);
    if (!api.threadFromUrl) return { state: 'unreadable_url', provider };
    const snapshot = await api.threadFromUrl(url, row.address);
    if (snapshot === null)
      return provider === 'gmail' && gmailApiThreadId(url) === null
        ? { state: 'unreadable_url', provider }
        : { state: 'not_found', provider, mailbox: row.address };
    return { state: 'thread', snapshot };
  }

  private async peopleOnPage(url: string, readGmailPage: () => Promise<unknown>) {
    // A page that cannot be read (closed, navigated, no permission) leaves the "connect" state.
    const answer = GmailPagePeople.safeParse(await readGmailPage().catch(() => null));
    if (!answer.success || answer.data.url !== url) return [];
    return answer.data.people;
  }
}
