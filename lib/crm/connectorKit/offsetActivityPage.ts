import { CrmError } from '../CrmError';
import { type ActivityPage, type EmailActivity, MAX_BATCH } from '../contract';

/**
 * One page of a contact's activities for a CRM whose API hands them over whole (HubSpot's
 * associations, Salesforce's recent list, Pipedrive's person activities): the cursor is the
 * offset into the list, newest first, at most `MAX_BATCH` a page (docs/CRM-CONTRACT.md).
 */
export function offsetActivityPage(
  all: readonly EmailActivity[],
  page: { limit?: number; cursor?: string },
): ActivityPage {
  const limit = Math.min(MAX_BATCH, Math.max(1, page.limit ?? 20));
  const offset = page.cursor ? Number(page.cursor) : 0;
  if (!Number.isInteger(offset) || offset < 0)
    throw new CrmError('invalid_request', 'That page cursor is not valid.');
  return {
    activities: all.slice(offset, offset + limit),
    nextCursor: offset + limit < all.length ? String(offset + limit) : null,
  };
}
