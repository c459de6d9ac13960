import type { MailMessage } from '../MailMessage';
import type { MailSink, SyncMode, SyncPassResult, SyncProgress } from './MailboxSync';

/**
 * What one sync pass has done so far: items looked at, messages handed to the sink, pages,
 * and items that were gone or unreadable. `handOff` is the one way messages reach the sink,
 * so progress is reported after every page, including empty ones.
 */
export class SyncPassTally {
  readonly progress: SyncProgress = { scanned: 0, handedOff: 0 };
  readonly counts = { vanished: 0, removed: 0, ignored: 0, unreadable: 0, pages: 0 };

  constructor(
    private readonly target: { sink: MailSink; onProgress?: ((progress: SyncProgress) => void) | undefined },
  ) {}

  /** Hands a page to the sink (when it has any messages), then reports progress. */
  async handOff(messages: MailMessage[]): Promise<void> {
    if (messages.length > 0) {
      await this.target.sink(messages);
      this.progress.handedOff += messages.length;
      this.counts.pages++;
    }
    this.target.onProgress?.({ ...this.progress });
  }

  result(mailboxId: string, mode: SyncMode): SyncPassResult {
    return { mailboxId, mode, ...this.progress, ...this.counts };
  }
}
