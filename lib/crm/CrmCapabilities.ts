import { z } from 'zod';
import { CrmType } from './vendors/crmVendors';

/** The CRMs the extension speaks to: one folder each under lib/crm/vendors. */
export { CrmType };

/**
 * What a CRM can do, declared by its connector, so the panel hides what a CRM cannot do
 * instead of offering it and failing. A method behind a capability the connector lacks
 * rejects with `CrmError` kind `unsupported` (the conformance suite checks it does).
 */
export const CrmCapabilities = z.object({
  /** Contacts are found by any of their addresses, not only the main one. */
  alternateEmails: z.boolean(),
  /** Companies (accounts) are found by the domain of an address. */
  companiesByDomain: z.boolean(),
  /** Contact detail carries open deals (opportunities) and a logged email can name one. */
  deals: z.boolean(),
  /** `activitiesForMessage` sees what colleagues logged ("already logged by a colleague"). */
  colleagueActivity: z.boolean(),
  tasks: z.boolean(),
  createContact: z.boolean(),
  /** `removeActivity`: a logged email can be taken off a contact (deleted, or its link removed). */
  removeActivity: z.boolean(),
  /** `moveActivity`: a logged email can go to another contact, or (with `deals`) another deal. */
  moveActivity: z.boolean(),
  /** `redactActivity`: a logged email's subject, preview and text can be emptied, keeping who and when. */
  redactActivity: z.boolean(),
  /**
   * An address can be added to (and removed from) an existing contact as an alternate email
   * (`addContactEmail` / `removeContactEmail`): "one identity across addresses".
   */
  addAlternateEmail: z.boolean(),
});
export type CrmCapabilities = z.infer<typeof CrmCapabilities>;
export type CrmCapability = keyof CrmCapabilities;

export const ALL_CAPABILITIES: CrmCapabilities = {
  alternateEmails: true,
  companiesByDomain: true,
  deals: true,
  colleagueActivity: true,
  tasks: true,
  createContact: true,
  removeActivity: true,
  moveActivity: true,
  redactActivity: true,
  addAlternateEmail: true,
};

/** The capabilities that change an email after it was logged (the receipt's Undo, Move, Redact). */
export const ACTIVITY_CHANGE_CAPABILITIES = ['removeActivity', 'moveActivity', 'redactActivity'] as const;

/** What the panel and the options page show about the connected CRM. */
export const CrmInfo = z.object({
  type: CrmType,
  /** The CRM's product name as reps know it ("HubSpot"), for "Open in …" links. */
  name: z.string(),
  capabilities: CrmCapabilities,
});
export type CrmInfo = z.infer<typeof CrmInfo>;

/**
 * A CRM record, independent of the CRM: the connector turns it into a deep link into
 * the CRM's own UI (`recordUrl`), which fills the `url` of every contract record.
 */
export const CrmRecordKind = z.enum(['contact', 'lead', 'company', 'deal', 'email', 'task']);
export type CrmRecordKind = z.infer<typeof CrmRecordKind>;
export interface CrmRecordRef {
  kind: CrmRecordKind;
  id: string;
}
