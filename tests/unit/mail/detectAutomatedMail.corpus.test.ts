import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { detectAutomatedMail } from '../../../lib/mail/detectAutomatedMail';
import {
  type CorpusMessage,
  formatCorpusScore,
  loadMailCorpus,
  MAIL_CORPUS_DIR,
  readCorpusIndex,
  scoreCorpus,
} from './mailCorpus';

function emlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return emlFiles(path);
    return name.endsWith('.eml') ? [relative(MAIL_CORPUS_DIR, path)] : [];
  });
}

describe('the real-mail corpus (tests/fixtures/mail)', () => {
  it('lists every .eml with its public source, and nothing else', () => {
    const index = readCorpusIndex();
    expect(index.length).toBeGreaterThanOrEqual(120);
    expect(new Set(index.map((e) => e.file))).toEqual(new Set(emlFiles(MAIL_CORPUS_DIR)));
    for (const entry of index) {
      expect(existsSync(join(MAIL_CORPUS_DIR, entry.file)), entry.file).toBe(true);
      // Headers stay intact even where a body was cut: there is always a header block.
      const raw = readFileSync(join(MAIL_CORPUS_DIR, entry.file), 'latin1');
      expect(raw.search(/\r?\n\r?\n/), entry.file).toBeGreaterThan(0);
    }
  });
});

describe('detectAutomatedMail on the real-mail corpus', () => {
  let corpus: CorpusMessage[] = [];
  const verdict = (m: CorpusMessage) => detectAutomatedMail(m.message, { ownAddresses: m.ownAddresses });
  beforeAll(async () => {
    corpus = await loadMailCorpus();
  });

  it('meets the targets: precision >= 0.99, recall >= 0.97, no human reply flagged', () => {
    const all = scoreCorpus(corpus, verdict);
    const holdout = scoreCorpus(
      corpus.filter((m) => m.entry.holdout),
      verdict,
    );
    console.log(
      [...formatCorpusScore('corpus (all)', all), ...formatCorpusScore('held-out third', holdout)].join('\n'),
    );
    expect(all.precision).toBeGreaterThanOrEqual(0.99);
    expect(all.recall).toBeGreaterThanOrEqual(0.97);
    expect(all.humanRepliesFlagged).toBe(0);
    expect(all.falsePositives).toBe(0);
  });

  it('gives every automated verdict a reason that starts with what the mail is', () => {
    for (const m of corpus) {
      const v = verdict(m);
      expect(v.reason, m.entry.file).toMatch(
        /^(bounce|auto-reply|automated report|mailing list|newsletter|automated notification|personal mail): \S/,
      );
    }
  });
});
