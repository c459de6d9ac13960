import type { CrmConnector } from './CrmConnector';
import { CrmError } from './CrmError';
import type { Contact, CreateContactRequest } from './contract';

/**
 * Creates a contact, or answers the one that already has the address: the contract's 409
 * carries the existing contact in `error.details.contact` (docs/CRM-CONTRACT.md, "Create a
 * contact"), so someone else adding it meanwhile is not a failure. Anything else is thrown.
 */
export async function createOrFindContact(
  connector: CrmConnector,
  request: CreateContactRequest,
): Promise<{ contact: Contact; existed: boolean }> {
  try {
    return { contact: await connector.createContact(request), existed: false };
  } catch (error) {
    const existing =
      error instanceof CrmError && error.kind === 'conflict'
        ? (error.options.details as { contact?: Contact } | undefined)?.contact
        : undefined;
    if (!existing) throw error;
    return { contact: existing, existed: true };
  }
}
