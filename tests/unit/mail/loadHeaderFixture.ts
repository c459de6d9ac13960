import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MailMessage } from '../../../lib/mail/MailMessage';
import { type HeaderMessageMeta, mailMessageFromHeaders } from '../../../lib/mail/mailMessageFromHeaders';

const FIXTURES = join(import.meta.dirname, '../../fixtures/headers');

export function readHeaderFixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

/** A fixture as a MailMessage received in riley@ourco.example's inbox unless told otherwise. */
export function messageFromFixture(name: string, meta: Partial<HeaderMessageMeta> = {}): MailMessage {
  return mailMessageFromHeaders(readHeaderFixture(name), {
    provider: 'gmail',
    mailbox: 'riley@ourco.example',
    providerMessageId: `id-${name}`,
    providerThreadId: 'thread-1',
    folderRole: 'inbox',
    ...meta,
  });
}
