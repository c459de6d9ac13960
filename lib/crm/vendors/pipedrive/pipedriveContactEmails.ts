import { CrmError } from '../../CrmError';
import { type Contact, EmailAddressString } from '../../contract';
import type { PipedriveAccountReader } from './pipedriveAccount';
import type { PipedriveHttp } from './pipedriveHttp';
import type { PipedriveLookups } from './pipedriveLookups';
import { toContact } from './pipedriveMapping';
import { type PipedrivePerson as Person, PipedrivePerson } from './pipedriveSchemas';

/**
 * A person's other addresses ("one identity across addresses"). A Pipedrive person holds a
 * list of `emails` (`{ value, primary, label }`), and "Update a person" (PATCH
 * /api/v2/persons/{id}, client-nodejs src/versions/v2/models/update-person-request.ts) takes
 * the list whole: the connector reads the person, adds or drops the one address and writes
 * the list back, the primary address untouched. Pipedrive lets two persons share an address,
 * so "another contact has it" is found by a lookup first, like createContact does.
 */
export function createPipedriveContactEmails(
  http: PipedriveHttp,
  account: PipedriveAccountReader,
  lookups: PipedriveLookups,
) {
  function addressOf(email: string): string {
    const parsed = EmailAddressString.safeParse(email);
    if (!parsed.success) throw new CrmError('invalid_request', `${email} is not an email address.`);
    return parsed.data;
  }

  async function write(person: Person, emails: NonNullable<Person['emails']>): Promise<Contact> {
    const updated = await http.patch(`/api/v2/persons/${person.id}`, PipedrivePerson, { emails });
    return toContact(updated, await account.mapping());
  }

  async function addContactEmail(contactId: string, email: string): Promise<Contact> {
    const address = addressOf(email);
    const person = await lookups.person(contactId);
    const emails = person.emails ?? [];
    if (emails.some((e) => e.value.trim().toLowerCase() === address))
      return toContact(person, await account.mapping());
    const owner = (await lookups.lookup({ emails: [address] })).contacts.find((c) => c.id !== contactId);
    if (owner)
      throw new CrmError('conflict', `${address} is already ${owner.name}'s address in Pipedrive.`, {
        status: 409,
        details: { contact: owner },
      });
    return write(person, [
      ...emails.map((e) => ({ value: e.value, primary: e.primary === true, label: e.label ?? 'work' })),
      { value: address, primary: emails.length === 0, label: 'work' },
    ]);
  }

  async function removeContactEmail(contactId: string, email: string): Promise<Contact> {
    const address = addressOf(email);
    const person = await lookups.person(contactId);
    const contact = toContact(person, await account.mapping());
    if (contact.emails[0] === address)
      throw new CrmError('invalid_request', `${address} is the person's main address in Pipedrive.`, {
        status: 400,
      });
    const emails = person.emails ?? [];
    const kept = emails.filter((e) => e.value.trim().toLowerCase() !== address);
    if (kept.length === emails.length) return contact;
    return write(
      person,
      kept.map((e) => ({ value: e.value, primary: e.primary === true, label: e.label ?? 'work' })),
    );
  }

  return { addContactEmail, removeContactEmail };
}
