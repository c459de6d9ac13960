import type { ActivityChange } from '../CrmConnector';
import type { EmailActivity } from '../contract';

/** `moveActivity` / `redactActivity`'s answer for an email activity as it now stands. */
export function activityChange(status: ActivityChange['status'], email: EmailActivity): ActivityChange {
  return {
    status,
    activity: {
      id: email.id,
      externalId: email.externalId,
      contactId: email.contactId,
      dealId: email.dealId,
    },
  };
}
