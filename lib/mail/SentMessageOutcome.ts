import { z } from 'zod';

/** What became of a message a webmail compose form reported sent (Gmail's and Outlook's). */
export const SentMessageOutcome = z.object({
  outcome: z.enum(['queued', 'already_logged', 'skipped']),
  /** Why it was skipped (excluded domain, not found in Sent Items, ...), for the console/debug log. */
  reason: z.string().optional(),
});
export type SentMessageOutcome = z.infer<typeof SentMessageOutcome>;

/** The outcome's reason for a send the rep made with the compose form's "Log to CRM" off. */
export const LOG_OFF_REASON = 'Log to CRM was off when you sent it';
