import { z } from 'zod';
import { CrmError } from '../../CrmError';
import { type Contact, EmailAddressString, type LookupRequest, type LookupResponse } from '../../contract';
import type { HubSpotApi } from './hubspotApi';
import type { HubSpotMapping } from './hubspotMapping';
import { CONTACT_PROPERTIES } from './hubspotMapping';

/**
 * A contact's other addresses ("one identity across addresses"). HubSpot keeps them in
 * `hs_additional_emails`, which the v3 objects API reads but does not write (setting it
 * has no effect, https://gist.github.com/equivalent "this solution uses V1 endpoint because
 * V3 has no such feature"), so adding and removing go through the contacts v1 secondary
 * email endpoints, still documented in the current reference:
 * PUT https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/contacts/v1/put-contacts-v1-secondary-email-vid-email-email
 * DELETE https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/contacts/v1/get-contacts-v1-secondary-email-vid-email-email
 * Both answer `{ portalId, vid, secondaryEmails }`; the contact is read again through v3
 * so the answer is the contract's contact, as every lookup sees it.
 */
export function hubspotContactEmails(
  api: HubSpotApi,
  mapping: HubSpotMapping,
  lookup: (request: LookupRequest) => Promise<LookupResponse>,
) {
  const { call, readBatch, searchAnswers } = api;

  async function current(contactId: string): Promise<Contact> {
    const [stored] = await readBatch('contacts', [contactId], CONTACT_PROPERTIES);
    if (!stored) throw new CrmError('not_found', `HubSpot has no contact ${contactId}.`, { status: 404 });
    return mapping.toContact(stored);
  }

  function secondaryEmailPath(contactId: string, address: string): string {
    return `/contacts/v1/secondary-email/${encodeURIComponent(contactId)}/email/${encodeURIComponent(address)}`;
  }

  function addressOf(email: string): string {
    const parsed = EmailAddressString.safeParse(email);
    if (!parsed.success) throw new CrmError('invalid_request', `${email} is not an email address.`);
    return parsed.data;
  }

  /** Who holds the address, main or secondary, asked afresh (the refusal just said someone does). */
  async function ownerOf(address: string): Promise<Contact | undefined> {
    searchAnswers.alternates.delete(address);
    return (await lookup({ emails: [address] })).contacts[0];
  }

  async function addContactEmail(contactId: string, email: string): Promise<Contact> {
    const address = addressOf(email);
    const before = await current(contactId);
    if (before.emails.includes(address)) return before;
    try {
      await call('PUT', secondaryEmailPath(contactId, address), z.unknown());
    } catch (error) {
      if (error instanceof CrmError && error.kind === 'conflict') {
        const owner = await ownerOf(address);
        if (owner && owner.id !== contactId)
          throw new CrmError('conflict', `${address} is already ${owner.name}'s address in HubSpot.`, {
            status: 409,
            details: { contact: owner },
          });
      }
      throw error;
    }
    // The address is now this contact's: the next lookup asks HubSpot again.
    searchAnswers.alternates.delete(address);
    return current(contactId);
  }

  async function removeContactEmail(contactId: string, email: string): Promise<Contact> {
    const address = addressOf(email);
    const before = await current(contactId);
    if (before.emails[0] === address)
      throw new CrmError('invalid_request', `${address} is the contact's main address in HubSpot.`, {
        status: 400,
      });
    if (!before.emails.includes(address)) return before;
    await call('DELETE', secondaryEmailPath(contactId, address), z.unknown());
    searchAnswers.alternates.delete(address);
    return current(contactId);
  }

  return { addContactEmail, removeContactEmail };
}
