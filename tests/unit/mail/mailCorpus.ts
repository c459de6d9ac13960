import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import { z } from 'zod';
import type { MailMessage } from '../../../lib/mail/MailMessage';
import { mailMessageFromHeaders } from '../../../lib/mail/mailMessageFromHeaders';
import { normaliseAddress } from '../../../lib/mail/normaliseAddress';

/** Where the real-mail corpus lives (see tests/fixtures/mail/README.md). */
export const MAIL_CORPUS_DIR = join(import.meta.dirname, '../../fixtures/mail');

/**
 * One corpus entry: a raw message copied from a public repository, labelled by a person who
 * read it (never by running the detector).
 */
export const CorpusEntry = z.object({
  file: z.string(),
  label: z.enum(['automated', 'human']),
  category: z.enum([
    'bounce',
    'auto_reply',
    'report',
    'mailing_list',
    'newsletter',
    'notification',
    'human_direct',
    'human_reply',
    'human_relayed',
    'calendar_invite',
  ]),
  repository: z.string(),
  path: z.string(),
  commit: z.string().regex(/^[0-9a-f]{40}$/),
  note: z.string(),
  trimmed: z.string().optional(),
  /** Kept out of rule design: the figures on these are the honest ones. */
  holdout: z.boolean(),
});
export type CorpusEntry = z.infer<typeof CorpusEntry>;

export interface CorpusMessage {
  entry: CorpusEntry;
  message: MailMessage;
  /** The mailbox it was delivered to: its first To address. */
  ownAddresses: ReadonlySet<string>;
}

export function readCorpusIndex(): CorpusEntry[] {
  return z.array(CorpusEntry).parse(JSON.parse(readFileSync(join(MAIL_CORPUS_DIR, 'index.json'), 'utf8')));
}

function snippetOf(text: string | undefined, html: string | undefined): string {
  const plain =
    text ??
    (html ?? '')
      .replace(/<(style|script)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
      .replace(/<[^>]+>/g, ' ')
      .replace(/&nbsp;/g, ' ');
  return plain.replace(/\s+/g, ' ').trim().slice(0, 200);
}

/**
 * Every corpus message as the sync sees it: the headers a provider hands over, the snippet
 * (first 200 characters of the text body, as Gmail's snippet), received in the mailbox of
 * its first To address.
 */
export async function loadMailCorpus(): Promise<CorpusMessage[]> {
  const out: CorpusMessage[] = [];
  for (const entry of readCorpusIndex()) {
    const raw = readFileSync(join(MAIL_CORPUS_DIR, entry.file));
    const text = raw.toString('latin1');
    let snippet = '';
    try {
      const parsed = await PostalMime.parse(raw);
      snippet = snippetOf(parsed.text, parsed.html);
    } catch {
      // Trimmed or broken MIME: detection then works from headers alone, as it must.
    }
    const message = mailMessageFromHeaders(text, {
      provider: 'gmail',
      mailbox: 'corpus@invalid',
      providerMessageId: entry.file,
      folderRole: 'inbox',
      snippet,
    });
    const first = message.to[0]?.address;
    const own = first ? normaliseAddress(first) : null;
    out.push({ entry, message, ownAddresses: new Set(own ? [own] : []) });
  }
  return out;
}

export interface CorpusScore {
  total: number;
  automated: number;
  human: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
  /** Human replies (category human_reply / human_relayed) flagged as automated. */
  humanRepliesFlagged: number;
  perCategory: Record<string, { total: number; flagged: number }>;
  mistakes: { file: string; label: string; reason: string }[];
}

/** Precision/recall of "automated" over corpus messages, given a verdict per message. */
export function scoreCorpus(
  messages: readonly CorpusMessage[],
  verdict: (m: CorpusMessage) => { automated: boolean; reason: string },
): CorpusScore {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let humanRepliesFlagged = 0;
  const perCategory: CorpusScore['perCategory'] = {};
  const mistakes: CorpusScore['mistakes'] = [];
  for (const m of messages) {
    const v = verdict(m);
    const category = perCategory[m.entry.category] ?? { total: 0, flagged: 0 };
    perCategory[m.entry.category] = category;
    category.total++;
    if (v.automated) category.flagged++;
    const isAutomated = m.entry.label === 'automated';
    if (isAutomated && v.automated) tp++;
    else if (!isAutomated && v.automated) {
      fp++;
      if (m.entry.category === 'human_reply' || m.entry.category === 'human_relayed') humanRepliesFlagged++;
    } else if (isAutomated && !v.automated) fn++;
    if (isAutomated !== v.automated)
      mistakes.push({ file: m.entry.file, label: m.entry.label, reason: v.reason });
  }
  const automated = messages.filter((m) => m.entry.label === 'automated').length;
  return {
    total: messages.length,
    automated,
    human: messages.length - automated,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    precision: tp + fp === 0 ? 1 : tp / (tp + fp),
    recall: tp + fn === 0 ? 1 : tp / (tp + fn),
    humanRepliesFlagged,
    perCategory,
    mistakes,
  };
}

/** Lines for a person: totals, targets and per-category flag rates. */
export function formatCorpusScore(title: string, score: CorpusScore): string[] {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const lines = [
    `${title}: ${score.total} messages (${score.automated} automated, ${score.human} human)`,
    `  precision ${pct(score.precision)} (target >= 99%), recall ${pct(score.recall)} (target >= 97%), human replies flagged ${score.humanRepliesFlagged} (target 0)`,
    `  TP ${score.truePositives}  FP ${score.falsePositives}  FN ${score.falseNegatives}`,
  ];
  for (const [category, c] of Object.entries(score.perCategory).sort()) {
    lines.push(
      `  ${category.padEnd(16)} ${String(c.flagged).padStart(3)}/${String(c.total).padEnd(3)} flagged automated`,
    );
  }
  for (const m of score.mistakes) lines.push(`  MISS ${m.label.padEnd(9)} ${m.file}: ${m.reason}`);
  return lines;
}
