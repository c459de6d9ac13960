import { mulberry32 } from '../lib/random/mulberry32';
import type { Sql } from './db/openDatabase';
import { hashToken } from './tokens';

/**
 * Well-known values of the demo dataset, for the end-to-end tests, the conformance
 * test and a newcomer's first look. Everything else in the seed is generated from a
 * fixed PRNG seed, so every fresh database holds the same people and deals; only the
 * timestamps follow the day the database was seeded, so the history looks recent.
 */
export const SEED = {
  org: { name: 'Northwind Trading', domains: ['northwind-trading.com'] },
  orgDomain: 'northwind-trading.com',
  demoUser: { id: 'usr_demo', name: 'Dana Whitfield', email: 'dana.whitfield@northwind-trading.com' },
  /** A second CRM user with a fixed token, so tests can show "already logged by a colleague". */
  colleague: {
    id: 'usr_colleague',
    name: 'Sam Okafor',
    email: 'sam.okafor@northwind-trading.com',
    // Fixed on purpose for tests and demos: the reference server listens on loopback by default.
    token: 'crm_colleague_demo_token_0000000000000000000000',
  },
  contacts: {
    /** A contact with one address, at Acme Robotics, with an open deal and 30 activities. */
    primary: {
      id: 'con_seed_alice',
      name: 'Alice Moreau',
      email: 'alice.moreau@acme-robotics.com',
      companyId: 'cmp_seed_acme',
    },
    /** A contact found by an alternate address too; its company uses a two-label public suffix. */
    withAlternate: {
      id: 'con_seed_ben',
      name: 'Ben Carter',
      email: 'ben.carter@brightwater.co.uk',
      alternateEmail: 'ben.carter.home@gmail.com',
      companyId: 'cmp_seed_brightwater',
    },
  },
  companies: {
    acme: { id: 'cmp_seed_acme', name: 'Acme Robotics', domain: 'acme-robotics.com' },
    /** Registrable domain under the multi-label public suffix `co.uk`. */
    brightwater: { id: 'cmp_seed_brightwater', name: 'Brightwater Analytics', domain: 'brightwater.co.uk' },
  },
  /** Message-ID (normalised) of an email to the primary contact that the colleague logged. */
  colleagueLoggedExternalId: 'seed-colleague-0001@mail.northwind-trading.com',
  /** Activities seeded for the primary contact: enough for more than one page. */
  primaryContactActivityCount: 30,
  contactCount: 50,
  companyCount: 6,
} as const;

const COMPANIES = [
  {
    id: SEED.companies.acme.id,
    name: SEED.companies.acme.name,
    domains: [SEED.companies.acme.domain],
    phone: '+1 415 555 01',
  },
  {
    id: SEED.companies.brightwater.id,
    name: SEED.companies.brightwater.name,
    domains: [SEED.companies.brightwater.domain],
    phone: '+44 20 7946 0',
  },
  {
    id: 'cmp_seed_globex',
    name: 'Globex Logistics',
    domains: ['globex-logistics.io'],
    phone: '+1 312 555 01',
  },
  {
    id: 'cmp_seed_initech',
    name: 'Initech Software',
    domains: ['initech.dev', 'initech-software.com'],
    phone: '+1 512 555 01',
  },
  {
    id: 'cmp_seed_umbrella',
    name: 'Umbrella Health',
    domains: ['umbrella-health.com'],
    phone: '+1 617 555 01',
  },
  {
    id: 'cmp_seed_stark',
    name: 'Stark Renewables',
    domains: ['stark-renewables.de'],
    phone: '+49 30 555 01',
  },
] as const;

const FIRST_NAMES = [
  'Olivia',
  'Noah',
  'Emma',
  'Liam',
  'Sofia',
  'Mateo',
  'Chloe',
  'Lucas',
  'Hannah',
  'Ethan',
  'Mia',
  'Jonas',
  'Aisha',
  'Ravi',
  'Elena',
  'Tomás',
  'Grace',
  'Kenji',
  'Zara',
  'Felix',
  'Ingrid',
  'Omar',
  'Leah',
  'Marco',
];
const LAST_NAMES = [
  'Schmidt',
  'Nguyen',
  'Rossi',
  'Johansson',
  'Patel',
  'García',
  'Kowalski',
  "O'Brien",
  'Tanaka',
  'Dubois',
  'Müller',
  'Okoye',
  'Fischer',
  'Lindqvist',
  'Haddad',
  'Moreno',
  'Walsh',
  'Ivanova',
  'Costa',
  'Brennan',
];
const TITLES = [
  'Head of Operations',
  'VP Engineering',
  'Procurement Manager',
  'CTO',
  'Finance Director',
  'Product Manager',
  'IT Administrator',
  'Chief Executive Officer',
  'Logistics Coordinator',
  'Data Scientist',
  'Office Manager',
];
const STAGES = ['lead', 'marketing_qualified', 'sales_qualified', 'opportunity', 'customer'];
const OWNERS = [SEED.demoUser.name, SEED.colleague.name, 'Priya Nair'];
const DEAL_STAGES = ['qualification', 'discovery', 'proposal', 'negotiation', 'closed_won', 'closed_lost'];
const SUBJECTS = [
  'Quick question about pricing',
  'Follow-up from our call',
  'Proposal draft attached',
  'Re: onboarding timeline',
  'Invoice for March',
  'Intro: our platform team',
  'Security questionnaire',
  'Renewal options for next year',
  'Meeting notes and next steps',
  'Re: pilot results',
  'Contract redlines',
  'Can we move Thursday?',
];
const SNIPPETS = [
  'Thanks for the time today. As discussed, here is a summary of what we agreed and the open points.',
  'Could you send over the updated figures before Friday? Our finance team wants to close the quarter.',
  'Attached is the revised proposal with the volume discount we talked about.',
  'Happy to set up a call with our IT lead to go through the integration questions.',
  'We reviewed the pilot results internally and would like to discuss a wider rollout.',
  'Just checking in on the questionnaire; let me know if anything is unclear.',
];

function asciiLocalPart(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-zA-Z]/g, '')
    .toLowerCase();
}

/** Multi-row INSERT in chunks that stay well under the 65,535-parameter limit. */
export async function insertRows(
  sql: Sql,
  table: string,
  columns: readonly string[],
  rows: unknown[][],
): Promise<void> {
  const perChunk = Math.max(1, Math.floor(30_000 / columns.length));
  for (let start = 0; start < rows.length; start += perChunk) {
    const chunk = rows.slice(start, start + perChunk);
    const params: unknown[] = [];
    const groups = chunk.map((row) => {
      const refs = row.map((value) => {
        params.push(value);
        return `$${params.length}`;
      });
      return `(${refs.join(', ')})`;
    });
    await sql.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${groups.join(', ')}`, params);
  }
}

/** The organisation and its two users; needed even without demo data, or no token works. */
export async function seedOrgAndUsers(sql: Sql): Promise<void> {
  await sql.query(
    'INSERT INTO org (id, name, domains) VALUES (1, $1, $2::text[]) ON CONFLICT (id) DO NOTHING',
    [SEED.org.name, [...SEED.org.domains]],
  );
  await insertRows(
    sql,
    'users',
    ['id', 'name', 'email', 'role'],
    [
      [SEED.demoUser.id, SEED.demoUser.name, SEED.demoUser.email, 'admin'],
      [SEED.colleague.id, SEED.colleague.name, SEED.colleague.email, 'rep'],
    ],
  );
}

/**
 * The colleague's published token works only on a demo server: demo seeding on and no
 * configured demo token. Anywhere else it is removed, so a server set up for real use
 * cannot be read with a token printed in the source.
 */
export async function settleColleagueToken(sql: Sql, enabled: boolean): Promise<void> {
  const hash = hashToken(SEED.colleague.token);
  if (enabled) {
    await sql.query(
      'INSERT INTO api_tokens (token_hash, user_id) VALUES ($1, $2) ON CONFLICT (token_hash) DO NOTHING',
      [hash, SEED.colleague.id],
    );
  } else {
    await sql.query('DELETE FROM api_tokens WHERE token_hash = $1', [hash]);
  }
}

/** What every seed section shares: one PRNG stream (sections draw from it in a fixed order). */
interface SeedContext {
  sql: Sql;
  random: () => number;
  pick: <T>(list: readonly T[]) => T;
  daysAgo: (days: number) => string;
  now: Date;
}

interface SeedContact {
  id: string;
  name: string;
  emails: string[];
  companyId: string | null;
  title: string;
  phone: string | null;
  owner: string;
  stage: string;
}

/** Companies, ~50 contacts (some with alternates), deals and past activities, in that order. */
export async function seedDemoData(sql: Sql, now = new Date()): Promise<void> {
  const random = mulberry32(20_240_601);
  const context: SeedContext = {
    sql,
    random,
    pick: <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T,
    daysAgo: (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString(),
    now,
  };
  await seedCompanies(context);
  const contacts = await seedContacts(context);
  await seedDeals(context, contacts);
  await seedActivities(context, contacts);
}

/** The demo companies and their domains. */
async function seedCompanies({ sql, daysAgo }: SeedContext): Promise<void> {
  await insertRows(
    sql,
    'companies',
    ['id', 'name', 'created_at'],
    COMPANIES.map((c) => [c.id, c.name, daysAgo(400)]),
  );
  await insertRows(
    sql,
    'company_domains',
    ['domain', 'company_id'],
    COMPANIES.flatMap((c) => c.domains.map((d) => [d, c.id])),
  );
}

/** The two named contacts the tests use, then generated people up to SEED.contactCount. */
async function seedContacts({ sql, random, pick, daysAgo }: SeedContext): Promise<SeedContact[]> {
  const contacts: SeedContact[] = [
    {
      id: SEED.contacts.primary.id,
      name: SEED.contacts.primary.name,
      emails: [SEED.contacts.primary.email],
      companyId: SEED.contacts.primary.companyId,
      title: 'Head of Operations',
      phone: '+1 415 555 0142',
      owner: SEED.demoUser.name,
      stage: 'opportunity',
    },
    {
      id: SEED.contacts.withAlternate.id,
      name: SEED.contacts.withAlternate.name,
      emails: [SEED.contacts.withAlternate.email, SEED.contacts.withAlternate.alternateEmail],
      companyId: SEED.contacts.withAlternate.companyId,
      title: 'Data Scientist',
      phone: '+44 20 7946 0321',
      owner: SEED.colleague.name,
      stage: 'customer',
    },
  ];
  const taken = new Set(contacts.flatMap((c) => c.emails));
  for (let n = contacts.length + 1; contacts.length < SEED.contactCount; n++) {
    const first = pick(FIRST_NAMES);
    const last = pick(LAST_NAMES);
    // A few people write from free-mail addresses and belong to no company.
    const company = random() < 0.08 ? null : pick(COMPANIES);
    const domain = company ? company.domains[0] : pick(['gmail.com', 'outlook.com', 'proton.me']);
    let email = `${asciiLocalPart(first)}.${asciiLocalPart(last)}@${domain}`;
    if (taken.has(email)) email = `${asciiLocalPart(first)}.${asciiLocalPart(last)}${n}@${domain}`;
    const emails = [email];
    if (company && random() < 0.2) {
      // An alias on the company's other domain, or a short form of the name.
      const aliasDomain = company.domains[1] ?? company.domains[0];
      emails.push(`${asciiLocalPart(first)[0]}${asciiLocalPart(last)}@${aliasDomain}`);
    }
    if (emails.some((e) => taken.has(e))) continue;
    for (const e of emails) taken.add(e);
    contacts.push({
      id: `con_seed_${String(n).padStart(3, '0')}`,
      name: `${first} ${last}`,
      emails,
      companyId: company?.id ?? null,
      title: pick(TITLES),
      phone:
        company && random() < 0.8
          ? `${company.phone}${String(Math.floor(random() * 100)).padStart(2, '0')}`
          : null,
      owner: pick(OWNERS),
      stage: pick(STAGES),
    });
  }
  await insertRows(
    sql,
    'contacts',
    [
      'id',
      'name',
      'title',
      'phone',
      'company_id',
      'owner_name',
      'lifecycle_stage',
      'created_at',
      'updated_at',
    ],
    contacts.map((c, i) => {
      const created = daysAgo(365 - i * 5);
      return [c.id, c.name, c.title, c.phone, c.companyId, c.owner, c.stage, created, created];
    }),
  );
  await insertRows(
    sql,
    'contact_emails',
    ['email', 'contact_id', 'position'],
    contacts.flatMap((c) => c.emails.map((e, position) => [e, c.id, position])),
  );
  return contacts;
}

/** One open deal for the primary contact, then a spread over the companies. */
async function seedDeals(
  { sql, random, pick, daysAgo }: SeedContext,
  contacts: SeedContact[],
): Promise<void> {
  const deals: {
    id: string;
    name: string;
    stage: string;
    amount: number;
    currency: string;
    close: string;
    companyId: string;
    contactIds: string[];
  }[] = [
    {
      id: 'deal_seed_001',
      name: 'Acme Robotics: fleet automation pilot',
      stage: 'proposal',
      amount: 48_000,
      currency: 'USD',
      close: daysAgo(-30).slice(0, 10),
      companyId: SEED.companies.acme.id,
      contactIds: [SEED.contacts.primary.id],
    },
  ];
  for (let n = 2; n <= 12; n++) {
    const company = pick(COMPANIES);
    const people = contacts.filter((c) => c.companyId === company.id);
    const stage = pick(DEAL_STAGES);
    deals.push({
      id: `deal_seed_${String(n).padStart(3, '0')}`,
      name: `${company.name}: ${pick(['annual licence', 'expansion', 'support renewal', 'analytics add-on', 'pilot'])}`,
      stage,
      amount: Math.round(5 + random() * 120) * 1000,
      currency: company.domains[0]?.endsWith('.uk')
        ? 'GBP'
        : company.domains[0]?.endsWith('.de')
          ? 'EUR'
          : 'USD',
      close: daysAgo(Math.floor(random() * 180) - 90).slice(0, 10),
      companyId: company.id,
      contactIds: people.slice(0, 1 + Math.floor(random() * 2)).map((c) => c.id),
    });
  }
  await insertRows(
    sql,
    'deals',
    ['id', 'name', 'stage', 'is_open', 'amount', 'currency', 'close_date', 'company_id'],
    deals.map((d) => [
      d.id,
      d.name,
      d.stage,
      !d.stage.startsWith('closed'),
      d.amount,
      d.currency,
      d.close,
      d.companyId,
    ]),
  );
  await insertRows(
    sql,
    'deal_contacts',
    ['deal_id', 'contact_id'],
    deals.flatMap((d) => d.contactIds.map((c) => [d.id, c])),
  );
}

/** Past emails: 30 with the primary contact (more than one page), ~120 spread around. */
async function seedActivities(
  { sql, random, pick, now }: SeedContext,
  contacts: SeedContact[],
): Promise<void> {
  const activities: unknown[][] = [];
  const emailActivity = (
    n: number,
    contact: SeedContact,
    userId: string,
    externalId: string,
    hoursAgo: number,
  ) => {
    const incoming = random() < 0.5;
    const rep = userId === SEED.colleague.id ? SEED.colleague : SEED.demoUser;
    const them = { name: contact.name, address: contact.emails[0] };
    const us = { name: rep.name, address: rep.email };
    activities.push([
      `act_seed_${String(n).padStart(4, '0')}`,
      externalId,
      contact.id,
      contact.companyId,
      null,
      incoming ? 'incoming' : 'outgoing',
      pick(SUBJECTS),
      pick(SNIPPETS),
      new Date(now.getTime() - hoursAgo * 3_600_000).toISOString(),
      JSON.stringify(incoming ? them : us),
      JSON.stringify([incoming ? us : them]),
      JSON.stringify([]),
      random() < 0.2,
      `thread-${Math.floor(n / 3)}`,
      random() < 0.6 ? 'gmail' : 'outlook',
      userId,
    ]);
  };
  const primary = contacts[0] as SeedContact;
  emailActivity(1, primary, SEED.colleague.id, SEED.colleagueLoggedExternalId, 20);
  for (let n = 2; n <= SEED.primaryContactActivityCount; n++) {
    emailActivity(
      n,
      primary,
      SEED.demoUser.id,
      `seed-${n}.${n * 7919}@mail.northwind-trading.com`,
      24 * n + 3,
    );
  }
  for (let n = SEED.primaryContactActivityCount + 1; n <= 150; n++) {
    const contact = contacts[1 + Math.floor(random() * (contacts.length - 1))] as SeedContact;
    const userId = random() < 0.7 ? SEED.demoUser.id : SEED.colleague.id;
    emailActivity(
      n,
      contact,
      userId,
      `seed-${n}.${n * 7919}@mail.northwind-trading.com`,
      Math.floor(random() * 24 * 120),
    );
  }
  await insertRows(
    sql,
    'activities',
    [
      'id',
      'external_id',
      'contact_id',
      'company_id',
      'deal_id',
      'direction',
      'subject',
      'snippet',
      'occurred_at',
      'from_party',
      'to_parties',
      'cc_parties',
      'has_attachments',
      'thread_id',
      'source',
      'logged_by',
    ],
    activities,
  );
}
