import { Domain } from '../../lib/crm/contract';

/** Parses what was typed into one domain, lower-cased; "@example.com" is taken as example.com. */
export function parseDomainEntry(raw: string): { ok: true; domain: string } | { ok: false; message: string } {
  const entry = raw.trim().replace(/^@/, '');
  if (entry === '') return { ok: false, message: 'Type a domain, such as example.com.' };
  const parsed = Domain.safeParse(entry);
  if (!parsed.success) return { ok: false, message: `“${entry}” is not a domain name, such as example.com.` };
  return { ok: true, domain: parsed.data };
}
