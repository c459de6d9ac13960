import type { z } from 'zod';
import { type ErrorInfo, issuesOf } from '../errors/ErrorInfo';

/**
 * Why a content script did not pass a page's thread to the panel, as an ErrorInfo the panel
 * words through describeError: `too_large` when the thread is over ThreadSnapshot's limits
 * (a maximum length or count, issue codes `too_big` and the limit refinements), else
 * `invalid_message` (the reader produced something the schema refuses).
 */
export function snapshotRefusal(error: z.ZodError): ErrorInfo {
  const issues = issuesOf(error);
  const overLimit = error.issues.some(
    (issue) => issue.code === 'too_big' || (issue.code === 'custom' && /\bat most\b/.test(issue.message)),
  );
  return overLimit
    ? { kind: 'too_large', message: 'The thread is over the sidebar limits.', source: 'extension', issues }
    : { kind: 'invalid_message', message: 'The page thread could not be read.', source: 'extension', issues };
}
