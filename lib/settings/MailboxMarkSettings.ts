import { z } from 'zod';

/**
 * What the extension does in the mailbox itself once an email reached the CRM
 * (lib/background/MailboxMarks.ts). Both write actions are off by default: they need write
 * access to the mailbox (Gmail `gmail.modify`, Microsoft `Mail.ReadWrite`), which is asked for
 * only when one of them is turned on.
 */
export const MailboxMarkSettings = z.object({
  /** Gmail: a label, Outlook: a category, on every logged message. */
  labelLogged: z.boolean().default(false),
  /** Gmail label names nest with "/" (CRM/Logged shows as Logged under CRM). */
  gmailLabel: z
    .string()
    .trim()
    .min(1, 'a label needs a name')
    .max(100)
    .refine(
      (v) => !/^\/|\/$|\/\//.test(v),
      'a label name cannot start or end with "/" or have an empty level',
    )
    .default('CRM/Logged'),
  outlookCategory: z.string().trim().min(1, 'a category needs a name').max(100).default('Logged to CRM'),
  /** A received message in the inbox leaves it once logged (never sent mail, never skipped or failed mail). */
  archiveLogged: z.boolean().default(false),
  /** Gmail's thread list shows a small "In CRM" marker on logged threads (no write access needed). */
  threadListMarker: z.boolean().default(true),
});
export type MailboxMarkSettings = z.infer<typeof MailboxMarkSettings>;

export const DEFAULT_MAILBOX_MARKS: MailboxMarkSettings = MailboxMarkSettings.parse({});

/** Whether the settings ask for write access to the mailbox. */
export function wantsMailboxWriteAccess(marks: MailboxMarkSettings): boolean {
  return marks.labelLogged || marks.archiveLogged;
}
