import type { z } from 'zod';
import { CrmError } from '../CrmError';
import { type EmailActivityInput, LogActivitiesRequest, MAX_BATCH } from '../contract';

/**
 * The emails a connector is asked to log, checked as the REST contract checks them
 * (docs/CRM-CONTRACT.md, `POST /activities/batch`): at most MAX_BATCH (413 otherwise) and each
 * one valid (400 with the zod issues), before any call to the vendor's API.
 */
export function checkedLogBatch(
  activities: readonly EmailActivityInput[],
): z.output<typeof LogActivitiesRequest>['activities'] {
  if (activities.length > MAX_BATCH)
    throw new CrmError('invalid_request', `At most ${MAX_BATCH} emails can be logged at once.`, {
      status: 413,
    });
  const parsed = LogActivitiesRequest.safeParse({ activities });
  if (!parsed.success)
    throw new CrmError('invalid_request', 'An email to log is not valid.', {
      details: parsed.error.issues,
    });
  return parsed.data.activities;
}
