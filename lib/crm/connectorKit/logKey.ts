/**
 * The log key of one logged email: one record per (Message-ID, contact), the value a CRM's
 * unique field holds so a repeated log finds the first instead of making a second.
 * `contactId|externalId`: CRM record ids hold no `|`, so the first `|` splits it back.
 */
export interface LogItem {
  externalId: string;
  contactId: string;
}

/** The key, cut to the CRM field's length when it has one (Salesforce text fields: 255). */
export function logKey(externalId: string, contactId: string, maxLength = Number.POSITIVE_INFINITY): string {
  return `${contactId}|${externalId}`.slice(0, maxLength);
}

/** The contact and Message-ID a key was made from, or null when it is not a log key. */
export function parseLogKey(value: string | null | undefined): LogItem | null {
  if (!value) return null;
  const bar = value.indexOf('|');
  return bar > 0 ? { contactId: value.slice(0, bar), externalId: value.slice(bar + 1) } : null;
}

/** The same email for the same contact. */
export function sameLogItem(a: LogItem, b: LogItem): boolean {
  return a.externalId === b.externalId && a.contactId === b.contactId;
}
