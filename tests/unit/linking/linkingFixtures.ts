import type { Company, Contact } from '../../../lib/crm/contract';
import { DEFAULT_SETTINGS, type Settings } from '../../../lib/settings/Settings';

const at = '2024-01-01T00:00:00.000Z';

export function contact(
  id: string,
  name: string,
  emails: string[],
  companyId: string | null = null,
): Contact {
  return {
    id,
    name,
    emails,
    title: null,
    phone: null,
    companyId,
    ownerName: null,
    lifecycleStage: null,
    url: `https://crm.example/contacts/${id}`,
    createdAt: at,
    updatedAt: at,
  };
}

export function company(id: string, name: string, domains: string[]): Company {
  return { id, name, domains, url: `https://crm.example/companies/${id}` };
}

export const ACME = company('com_acme', 'Acme Ltd', ['acme.co.uk']);
export const BUECHER = company('com_buecher', 'Bücher-Handel', ['xn--bcher-handel-dlb.de']);
export const JANE = contact('con_jane', 'Jane Doe', ['jane@acme.co.uk', 'jane.doe@eu.acme.co.uk'], ACME.id);
export const BOB_GMAIL = contact('con_bob', 'Bob Private', ['bob@gmail.com']);
export const SAM_COLLEAGUE = contact('con_sam', 'Sam Colleague', ['sam@ourco.example']);

export function settings(overrides: Partial<Settings> = {}): Settings {
  return { ...DEFAULT_SETTINGS, autoLogReceived: true, ...overrides };
}
