import { getDomain } from 'tldts';
import { z } from 'zod';
import {
  type ActivityPage,
  type ActivityResult,
  type Company,
  type Contact,
  type ContactDetail,
  type CreateContactRequest,
  type Deal,
  type EmailActivity,
  type EmailActivityInput,
  IsoDateTime,
  type MeResponse,
  OrgSettings,
  type OrgSettingsResponse,
  type Party,
  RecordId,
  type Task,
  type TaskInput,
  type UserRole,
} from '../lib/crm/contract';
import { type Database, type Sql, sqlState, UNIQUE_VIOLATION } from './db/openDatabase';
import { HttpError } from './HttpError';
import { hashToken, newId, sameHash } from './tokens';

export interface AuthenticatedUser {
  id: string;
  name: string;
  email: string;
  role: UserRole;
}

/** What an organisation holds before an admin saves anything: no say on any setting. */
export const EMPTY_ORG_SETTINGS: OrgSettings = {
  excludedDomains: [],
  neverLogAddresses: [],
  neverLogDomains: [],
  filterAutomatedMail: null,
  privacyUpperBound: null,
  createContactPolicy: null,
};

/**
 * How long a checked token is trusted without asking the database again. Tokens are revoked
 * from the command line (another process), so this is how long a revoked token still works.
 */
export const TOKEN_CACHE_MS = 5_000;

type ParsedActivity = z.output<typeof EmailActivityInput>;
type ParsedTask = z.output<typeof TaskInput>;
type ParsedCreateContact = z.output<typeof CreateContactRequest>;

/** A contact as CONTACT_JSON builds it: the contract's shape minus `url`. */
type ContactJson = Omit<Contact, 'url'>;

type CompanyJson = Omit<Company, 'url'>;

interface DealRow {
  id: string;
  name: string;
  stage: string;
  amount: number | null;
  currency: string | null;
  close_date: string | null;
  company_id: string | null;
  contact_ids: string[];
}

interface ActivityRow {
  id: string;
  external_id: string;
  contact_id: string;
  company_id: string | null;
  deal_id: string | null;
  direction: 'incoming' | 'outgoing';
  subject: string;
  snippet: string;
  body: string | null;
  occurred_at: Date | string;
  from_party: Party;
  to_parties: Party[];
  cc_parties: Party[];
  has_attachments: boolean;
  thread_id: string | null;
  source: 'gmail' | 'outlook' | 'crm';
  logged_by: string;
  logged_by_name: string;
  created_at: Date | string;
}

interface TaskRow {
  id: string;
  contact_id: string;
  title: string;
  notes: string | null;
  due_at: Date | string | null;
  priority: 'low' | 'normal' | 'high';
  source_external_id: string | null;
  created_at: Date | string;
}

/**
 * Contacts are built as JSON inside the database: a lookup of 100 addresses then returns
 * one cell instead of 100 rows of typed columns, which PGlite would parse one by one.
 */
const CONTACT_JSON = `json_build_object(
    'id', c.id, 'name', c.name,
    'emails', ARRAY(SELECT e.email FROM contact_emails e WHERE e.contact_id = c.id ORDER BY e.position),
    'title', c.title, 'phone', c.phone, 'companyId', c.company_id, 'ownerName', c.owner_name,
    'lifecycleStage', c.lifecycle_stage, 'createdAt', c.created_at, 'updatedAt', c.updated_at)`;

const CONTACT_SELECT = `SELECT ${CONTACT_JSON} AS contact FROM contacts c`;

const COMPANY_JSON = `json_build_object(
    'id', co.id, 'name', co.name,
    'domains', ARRAY(SELECT d.domain FROM company_domains d WHERE d.company_id = co.id ORDER BY d.domain))`;

const COMPANY_SELECT = `SELECT ${COMPANY_JSON} AS company FROM companies co`;

const ACTIVITY_SELECT = `
  SELECT a.*, u.name AS logged_by_name
  FROM activities a JOIN users u ON u.id = a.logged_by`;

/** Columns of the batch INSERT, in the order its SELECT produces them. */
const ACTIVITY_COLUMNS = [
  'id',
  'external_id',
  'contact_id',
  'company_id',
  'deal_id',
  'direction',
  'subject',
  'snippet',
  'body',
  'occurred_at',
  'from_party',
  'to_parties',
  'cc_parties',
  'has_attachments',
  'thread_id',
  'source',
  'logged_by',
] as const;

/** Opaque to clients; inside, the keyset position of the last row of the page. */
const CursorPosition = z.object({ t: IsoDateTime, id: RecordId });

export function encodeCursor(position: z.infer<typeof CursorPosition>): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): z.infer<typeof CursorPosition> {
  try {
    return CursorPosition.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new HttpError(400, 'invalid_cursor', 'cursor is not one this server issued');
  }
}

function iso(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

function dateOnly(value: Date | string | null): string | null {
  if (value === null) return null;
  return value instanceof Date ? value.toISOString().slice(0, 10) : value.slice(0, 10);
}

/** Every SQL statement of the reference CRM; the HTTP layer above only parses and maps. */
export class CrmRepository {
  private readonly tokenCache = new Map<string, { user: AuthenticatedUser; expires: number }>();

  constructor(
    private readonly db: Database,
    private readonly publicBaseUrl: () => string,
  ) {}

  // ---- auth and identity ----

  async authenticate(token: string): Promise<AuthenticatedUser | null> {
    const hash = hashToken(token);
    const cached = this.tokenCache.get(hash);
    if (cached && cached.expires > Date.now()) return cached.user;
    const { rows } = await this.db.query<AuthenticatedUser & { token_hash: string }>(
      `SELECT u.id, u.name, u.email, u.role, t.token_hash
       FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1`,
      [hash],
    );
    const row = rows[0];
    if (!row || !sameHash(row.token_hash, hash)) return null;
    const user = { id: row.id, name: row.name, email: row.email, role: row.role };
    if (this.tokenCache.size > 1000) this.tokenCache.clear();
    this.tokenCache.set(hash, { user, expires: Date.now() + TOKEN_CACHE_MS });
    return user;
  }

  async me(user: AuthenticatedUser): Promise<MeResponse> {
    const { rows } = await this.db.query<{ name: string; domains: string[] }>(
      'SELECT name, domains FROM org WHERE id = 1',
    );
    const org = rows[0] ?? { name: '', domains: [] };
    return { user, org: { name: org.name, domains: org.domains } };
  }

  // ---- organisation settings ----

  async orgSettings(): Promise<OrgSettingsResponse> {
    const { rows } = await this.db.query<{
      settings: unknown;
      updated_at: Date | string;
      updated_by: string | null;
      updated_by_name: string | null;
    }>(
      `SELECT s.settings, s.updated_at, s.updated_by, u.name AS updated_by_name
       FROM org_settings s LEFT JOIN users u ON u.id = s.updated_by WHERE s.id = 1`,
    );
    const row = rows[0];
    if (!row) return { settings: EMPTY_ORG_SETTINGS, updatedAt: null, updatedBy: null };
    return {
      // Stored by this server after the same parse; parsed again so a hand edit cannot leak out.
      settings: OrgSettings.parse(row.settings),
      updatedAt: iso(row.updated_at),
      updatedBy: row.updated_by ? { id: row.updated_by, name: row.updated_by_name ?? '' } : null,
    };
  }

  /** Replaces the settings whole; the caller checked the user is an admin. */
  async replaceOrgSettings(user: AuthenticatedUser, settings: OrgSettings): Promise<OrgSettingsResponse> {
    await this.db.query(
      `INSERT INTO org_settings (id, settings, updated_at, updated_by) VALUES (1, $1::jsonb, now(), $2)
       ON CONFLICT (id) DO UPDATE SET settings = EXCLUDED.settings, updated_at = EXCLUDED.updated_at,
         updated_by = EXCLUDED.updated_by`,
      [JSON.stringify(settings), user.id],
    );
    return this.orgSettings();
  }

  // ---- lookup and contacts ----

  /** One statement: contacts by any address and companies by any domain. */
  async lookup(emails: string[], domains: string[]): Promise<{ contacts: Contact[]; companies: Company[] }> {
    const { rows } = await this.db.query<{ contacts: ContactJson[]; companies: CompanyJson[] }>(
      `SELECT
         (SELECT coalesce(json_agg(${CONTACT_JSON} ORDER BY c.name, c.id), '[]'::json)
          FROM contacts c
          WHERE c.id IN (SELECT contact_id FROM contact_emails WHERE email = ANY($1::text[]))) AS contacts,
         (SELECT coalesce(json_agg(${COMPANY_JSON} ORDER BY co.name, co.id), '[]'::json)
          FROM companies co
          WHERE co.id IN (SELECT company_id FROM company_domains WHERE domain = ANY($2::text[]))) AS companies`,
      [emails, domains],
    );
    const row = rows[0];
    return {
      contacts: (row?.contacts ?? []).map((c) => this.toContact(c)),
      companies: (row?.companies ?? []).map((c) => this.toCompany(c)),
    };
  }

  async getContactDetail(contactId: string): Promise<ContactDetail | null> {
    const contact = await this.findContact(this.db, contactId);
    if (!contact) return null;
    const [company, deals, activities] = await Promise.all([
      contact.companyId
        ? this.db.query<{ company: CompanyJson }>(`${COMPANY_SELECT} WHERE co.id = $1`, [contact.companyId])
        : { rows: [] },
      this.db.query<DealRow>(
        `SELECT d.id, d.name, d.stage, d.amount, d.currency, d.close_date::text AS close_date, d.company_id,
                ARRAY(SELECT dc2.contact_id FROM deal_contacts dc2 WHERE dc2.deal_id = d.id ORDER BY dc2.contact_id) AS contact_ids
         FROM deals d JOIN deal_contacts dc ON dc.deal_id = d.id
         WHERE dc.contact_id = $1 AND d.is_open
         ORDER BY d.close_date NULLS LAST, d.id`,
        [contactId],
      ),
      this.db.query<ActivityRow>(
        `${ACTIVITY_SELECT} WHERE a.contact_id = $1 ORDER BY a.occurred_at DESC, a.id DESC LIMIT 10`,
        [contactId],
      ),
    ]);
    const companyRow = company.rows[0];
    return {
      ...contact,
      company: companyRow ? this.toCompany(companyRow.company) : null,
      deals: deals.rows.map((r) => this.toDeal(r)),
      recentActivities: activities.rows.map(toActivity),
    };
  }

  async contactExists(contactId: string, sql: Sql = this.db): Promise<boolean> {
    const { rows } = await sql.query('SELECT 1 FROM contacts WHERE id = $1', [contactId]);
    return rows.length > 0;
  }

  /** Creates the contact, or returns the one already owning one of the addresses. */
  async createContact(
    user: AuthenticatedUser,
    input: ParsedCreateContact,
  ): Promise<{ created: Contact } | { existing: Contact }> {
    const emails = [...new Set(input.emails)];
    try {
      return await this.db.transaction(async (tx) => {
        const existing = await this.findContactByEmails(tx, emails);
        if (existing) return { existing };
        const companyId = input.companyId ?? (await this.companyForEmails(tx, emails));
        if (input.companyId) {
          const { rows } = await tx.query('SELECT 1 FROM companies WHERE id = $1', [input.companyId]);
          if (rows.length === 0) {
            throw new HttpError(400, 'invalid_request', `company ${input.companyId} does not exist`, [
              { path: ['companyId'], message: 'unknown company' },
            ]);
          }
        }
        const id = newId('con');
        await tx.query(
          `INSERT INTO contacts (id, name, title, phone, company_id, owner_name, lifecycle_stage)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [
            id,
            input.name,
            input.title ?? null,
            input.phone ?? null,
            companyId,
            user.name,
            input.lifecycleStage ?? 'lead',
          ],
        );
        const placeholders = emails.map((_, i) => `($${i * 3 + 1}, $${i * 3 + 2}, $${i * 3 + 3})`).join(', ');
        await tx.query(
          `INSERT INTO contact_emails (email, contact_id, position) VALUES ${placeholders}`,
          emails.flatMap((email, position) => [email, id, position]),
        );
        const created = await this.findContact(tx, id);
        if (!created) throw new Error('contact vanished inside its own transaction');
        return { created };
      });
    } catch (error) {
      // A concurrent request took one of the addresses between our check and our insert.
      if (sqlState(error) !== UNIQUE_VIOLATION) throw error;
      const existing = await this.findContactByEmails(this.db, emails);
      if (!existing) throw error;
      return { existing };
    }
  }

  // ---- alternate addresses (docs/CRM-CONTRACT.md, "Alternate addresses") ----

  /**
   * Adds an address after the contact's others. Idempotent: an address the contact already
   * has answers the contact; one another contact holds answers that contact as `conflict`.
   */
  async addContactEmail(
    contactId: string,
    email: string,
  ): Promise<{ contact: Contact } | { conflict: Contact } | null> {
    try {
      return await this.db.transaction(async (tx) => {
        const owner = await this.findContactByEmails(tx, [email]);
        if (owner && owner.id !== contactId) return { conflict: owner };
        const current = await this.findContact(tx, contactId);
        if (!current) return null;
        if (!owner) {
          await tx.query(
            `INSERT INTO contact_emails (email, contact_id, position)
             SELECT $1, $2, COALESCE(MAX(position), -1) + 1 FROM contact_emails WHERE contact_id = $2`,
            [email, contactId],
          );
          await tx.query('UPDATE contacts SET updated_at = now() WHERE id = $1', [contactId]);
        }
        const contact = await this.findContact(tx, contactId);
        if (!contact) throw new Error('contact vanished inside its own transaction');
        return { contact };
      });
    } catch (error) {
      // Another request took the address (or the next position) between the check and the insert.
      if (sqlState(error) !== UNIQUE_VIOLATION) throw error;
      const owner = await this.findContactByEmails(this.db, [email]);
      if (owner && owner.id !== contactId) return { conflict: owner };
      const contact = await this.findContact(this.db, contactId);
      if (!contact?.emails.includes(email)) throw error;
      return { contact };
    }
  }

  /**
   * Removes an alternate address (the undo of adding one). Idempotent: an address the contact
   * does not have answers the contact unchanged. The main address (the first) is refused.
   */
  async removeContactEmail(
    contactId: string,
    email: string,
  ): Promise<{ contact: Contact } | { primary: true } | null> {
    return this.db.transaction(async (tx) => {
      const current = await this.findContact(tx, contactId);
      if (!current) return null;
      if (current.emails[0] === email) return { primary: true as const };
      if (current.emails.includes(email)) {
        await tx.query('DELETE FROM contact_emails WHERE email = $1 AND contact_id = $2', [email, contactId]);
        await tx.query('UPDATE contacts SET updated_at = now() WHERE id = $1', [contactId]);
      }
      const contact = await this.findContact(tx, contactId);
      if (!contact) throw new Error('contact vanished inside its own transaction');
      return { contact };
    });
  }

  // ---- activities ----

  async listContactActivities(contactId: string, limit: number, cursor?: string): Promise<ActivityPage> {
    const after = cursor ? decodeCursor(cursor) : null;
    const { rows } = after
      ? await this.db.query<ActivityRow>(
          `${ACTIVITY_SELECT}
           WHERE a.contact_id = $1 AND (a.occurred_at, a.id) < ($2::timestamptz, $3)
           ORDER BY a.occurred_at DESC, a.id DESC LIMIT $4`,
          [contactId, after.t, after.id, limit + 1],
        )
      : await this.db.query<ActivityRow>(
          `${ACTIVITY_SELECT} WHERE a.contact_id = $1 ORDER BY a.occurred_at DESC, a.id DESC LIMIT $2`,
          [contactId, limit + 1],
        );
    const page = rows.slice(0, limit).map(toActivity);
    const last = page.at(-1);
    return {
      activities: page,
      nextCursor: rows.length > limit && last ? encodeCursor({ t: last.occurredAt, id: last.id }) : null,
    };
  }

  async activitiesByExternalId(externalId: string): Promise<EmailActivity[]> {
    const { rows } = await this.db.query<ActivityRow>(
      `${ACTIVITY_SELECT} WHERE a.external_id = $1 ORDER BY a.created_at, a.id`,
      [externalId],
    );
    return rows.map(toActivity);
  }

  /** For each of `externalIds` the CRM holds, every contact it is logged to (any user). */
  async loggedMessages(externalIds: string[]): Promise<{ externalId: string; contactIds: string[] }[]> {
    if (externalIds.length === 0) return [];
    const { rows } = await this.db.query<{ external_id: string; contact_id: string }>(
      'SELECT external_id, contact_id FROM activities WHERE external_id = ANY($1::text[]) ORDER BY external_id, contact_id',
      [externalIds],
    );
    const byId = new Map<string, string[]>();
    for (const row of rows) {
      const list = byId.get(row.external_id) ?? [];
      list.push(row.contact_id);
      byId.set(row.external_id, list);
    }
    return [...byId].map(([externalId, contactIds]) => ({ externalId, contactIds }));
  }

  /**
   * One transaction, one INSERT for the whole batch. The unique constraint decides what is new,
   * so concurrent identical batches cannot create a second row; rows it skipped are
   * read back afterwards (under READ COMMITTED the next statement sees the winner).
   */
  async logActivities(user: AuthenticatedUser, items: ParsedActivity[]): Promise<ActivityResult[]> {
    return this.db.transaction(async (tx) => {
      const contactIds = [...new Set(items.map((a) => a.contactId))];
      const { rows: known } = await tx.query<{ id: string; company_id: string | null }>(
        'SELECT id, company_id FROM contacts WHERE id = ANY($1::text[])',
        [contactIds],
      );
      const companyOf = new Map(known.map((r) => [r.id, r.company_id]));
      await this.refuseUnknownReferences(tx, items);

      const keyOf = (a: { externalId: string; contactId: string }) => `${a.externalId}\u0000${a.contactId}`;
      const toInsert = new Map<string, { id: string; item: ParsedActivity }>();
      for (const item of items) {
        if (!companyOf.has(item.contactId) || toInsert.has(keyOf(item))) continue;
        toInsert.set(keyOf(item), { id: newId('act'), item });
      }

      const created = new Set<string>();
      const idByKey = new Map<string, string>();
      if (toInsert.size > 0) {
        // The whole batch travels as one JSON parameter: PGlite binds each parameter in
        // JavaScript, so 1,700 scalars cost more than the INSERT itself.
        const batch = [...toInsert.values()].map(({ id, item }) => ({
          id,
          external_id: item.externalId,
          contact_id: item.contactId,
          company_id: item.companyId ?? companyOf.get(item.contactId) ?? null,
          deal_id: item.dealId ?? null,
          direction: item.direction,
          subject: item.subject,
          snippet: item.snippet,
          body: item.body ?? null,
          occurred_at: item.occurredAt,
          from_party: item.from,
          to_parties: item.to,
          cc_parties: item.cc,
          has_attachments: item.hasAttachments,
          thread_id: item.threadId ?? null,
          source: item.source,
        }));
        const { rows: inserted } = await tx.query<{ id: string; external_id: string; contact_id: string }>(
          `INSERT INTO activities (${ACTIVITY_COLUMNS.join(', ')})
           SELECT r.id, r.external_id, r.contact_id, r.company_id, r.deal_id, r.direction, r.subject, r.snippet,
                  r.body,
                  -- Millisecond precision keeps cursors and JavaScript Dates exact.
                  date_trunc('milliseconds', r.occurred_at),
                  r.from_party, r.to_parties, r.cc_parties, r.has_attachments, r.thread_id, r.source, $2
           FROM json_to_recordset($1::json) AS r(
             id text, external_id text, contact_id text, company_id text, deal_id text, direction text,
             subject text, snippet text, body text, occurred_at timestamptz, from_party jsonb,
             to_parties jsonb, cc_parties jsonb, has_attachments boolean, thread_id text, source text)
           ON CONFLICT ON CONSTRAINT activities_external_contact DO NOTHING
           RETURNING id, external_id, contact_id`,
          [JSON.stringify(batch), user.id],
        );
        for (const row of inserted) {
          const key = keyOf({ externalId: row.external_id, contactId: row.contact_id });
          created.add(key);
          idByKey.set(key, row.id);
        }
        const skipped = [...toInsert.values()].filter(({ item }) => !created.has(keyOf(item)));
        if (skipped.length > 0) {
          const { rows: existing } = await tx.query<{ id: string; external_id: string; contact_id: string }>(
            `SELECT a.id, a.external_id, a.contact_id
             FROM activities a
             JOIN unnest($1::text[], $2::text[]) AS k(external_id, contact_id)
               ON a.external_id = k.external_id AND a.contact_id = k.contact_id`,
            [skipped.map((s) => s.item.externalId), skipped.map((s) => s.item.contactId)],
          );
          for (const row of existing) {
            idByKey.set(keyOf({ externalId: row.external_id, contactId: row.contact_id }), row.id);
          }
        }
      }

      const reported = new Set<string>();
      return items.map((item): ActivityResult => {
        const base = { externalId: item.externalId, contactId: item.contactId };
        if (!companyOf.has(item.contactId)) {
          return {
            ...base,
            status: 'error',
            code: 'contact_not_found',
            message: `contact ${item.contactId} does not exist`,
          };
        }
        const key = keyOf(item);
        const id = idByKey.get(key);
        if (!id) throw new Error(`activity ${item.externalId} neither inserted nor found`);
        // A key repeated inside one batch is created once; its repeats are "existing".
        const status = created.has(key) && !reported.has(key) ? 'created' : 'existing';
        reported.add(key);
        return { ...base, status, id };
      });
    });
  }

  // ---- changing a logged email ----

  /** Deletes one activity; only the rep who logged it or an admin may. */
  async removeActivity(user: AuthenticatedUser, id: string): Promise<EmailActivity> {
    return this.db.transaction(async (tx) => {
      const row = await this.changeableActivity(tx, user, id, 'remove');
      await tx.query('DELETE FROM activities WHERE id = $1', [row.id]);
      return toActivity(row);
    });
  }

  /**
   * Moves an activity to another contact or deal and/or reduces it to who and when, in one
   * transaction. A move to a contact that already has this email drops the moved one and
   * answers that contact's (which the user must be allowed to change too, for the rest of the
   * change). `changed` is false when everything already was so: a repeated call changes nothing.
   */
  async changeActivity(
    user: AuthenticatedUser,
    id: string,
    change: { dealId?: string | null; contactId?: string; privacy?: 'metadata' },
  ): Promise<{ changed: boolean; activity: EmailActivity }> {
    return this.db.transaction(async (tx) => {
      let row = await this.changeableActivity(tx, user, id, 'change');
      let changed = false;
      await this.refuseUnknownTargets(tx, change);
      if (change.contactId !== undefined && change.contactId !== row.contact_id) {
        const { rows: there } = await tx.query<{ id: string }>(
          'SELECT id FROM activities WHERE external_id = $1 AND contact_id = $2',
          [row.external_id, change.contactId],
        );
        const existing = there[0];
        if (existing) {
          await tx.query('DELETE FROM activities WHERE id = $1', [row.id]);
          row = await this.changeableActivity(tx, user, existing.id, 'change');
        } else {
          await tx.query(
            `UPDATE activities SET contact_id = $2, company_id = (SELECT company_id FROM contacts WHERE id = $2)
             WHERE id = $1`,
            [row.id, change.contactId],
          );
        }
        changed = true;
      }
      if (change.dealId !== undefined) {
        const { rows } = await tx.query(
          'UPDATE activities SET deal_id = $2 WHERE id = $1 AND deal_id IS DISTINCT FROM $2 RETURNING id',
          [row.id, change.dealId],
        );
        changed ||= rows.length > 0;
      }
      if (change.privacy === 'metadata') {
        const { rows } = await tx.query(
          `UPDATE activities SET subject = '', snippet = '', body = NULL
           WHERE id = $1 AND (subject <> '' OR snippet <> '' OR body IS NOT NULL) RETURNING id`,
          [row.id],
        );
        changed ||= rows.length > 0;
      }
      const { rows: now } = await tx.query<ActivityRow>(`${ACTIVITY_SELECT} WHERE a.id = $1`, [row.id]);
      const current = now[0];
      if (!current) throw new Error('activity vanished inside its own transaction');
      return { changed, activity: toActivity(current) };
    });
  }

  /** The activity, locked until the transaction ends; 404 when absent, 403 when not the user's to change. */
  private async changeableActivity(
    tx: Sql,
    user: AuthenticatedUser,
    id: string,
    verb: 'remove' | 'change',
  ): Promise<ActivityRow> {
    const { rows } = await tx.query<ActivityRow>(`${ACTIVITY_SELECT} WHERE a.id = $1 FOR UPDATE OF a`, [id]);
    const row = rows[0];
    if (!row) {
      throw new HttpError(
        404,
        'activity_not_found',
        `no logged email has the id ${id}: it was removed, or never logged here`,
      );
    }
    if (row.logged_by !== user.id && user.role !== 'admin') {
      throw new HttpError(
        403,
        'forbidden',
        `only ${row.logged_by_name}, who logged this email, or an admin of this CRM may ${verb} it; ${user.email} is a rep`,
        { loggedBy: row.logged_by },
      );
    }
    return row;
  }

  /** A contact or deal a change names must exist: 400 `unknown_reference` with its path. */
  private async refuseUnknownTargets(tx: Sql, change: { dealId?: string | null; contactId?: string }) {
    const { rows } = await tx.query<{ kind: 'contact' | 'deal' }>(
      `SELECT 'contact' AS kind FROM contacts WHERE id = $1 UNION ALL SELECT 'deal' AS kind FROM deals WHERE id = $2`,
      [change.contactId ?? null, change.dealId ?? null],
    );
    const found = new Set(rows.map((r) => r.kind));
    const issues = [
      ...(change.contactId !== undefined && !found.has('contact')
        ? [{ path: ['contactId'], message: `contact ${change.contactId} does not exist` }]
        : []),
      ...(change.dealId != null && !found.has('deal')
        ? [{ path: ['dealId'], message: `deal ${change.dealId} does not exist` }]
        : []),
    ];
    if (issues.length > 0)
      throw new HttpError(
        400,
        'unknown_reference',
        'the change names a contact or deal this CRM does not have',
        issues,
      );
  }

  /**
   * A company or deal an activity names must exist: a 400 for the whole batch, with the
   * path of each unknown id, because the client sent something no retry can fix (the
   * extension's outbox then sends the items one by one, so only the wrong one stays out).
   */
  private async refuseUnknownReferences(tx: Sql, items: ParsedActivity[]): Promise<void> {
    const companyIds = [...new Set(items.flatMap((a) => (a.companyId ? [a.companyId] : [])))];
    const dealIds = [...new Set(items.flatMap((a) => (a.dealId ? [a.dealId] : [])))];
    if (companyIds.length === 0 && dealIds.length === 0) return;
    const { rows } = await tx.query<{ kind: 'company' | 'deal'; id: string }>(
      `SELECT 'company' AS kind, id FROM companies WHERE id = ANY($1::text[])
       UNION ALL SELECT 'deal' AS kind, id FROM deals WHERE id = ANY($2::text[])`,
      [companyIds, dealIds],
    );
    const known = new Set(rows.map((r) => `${r.kind}:${r.id}`));
    const issues = items.flatMap((item, index) => [
      ...(item.companyId && !known.has(`company:${item.companyId}`)
        ? [
            {
              path: ['activities', String(index), 'companyId'],
              message: `company ${item.companyId} does not exist`,
            },
          ]
        : []),
      ...(item.dealId && !known.has(`deal:${item.dealId}`)
        ? [{ path: ['activities', String(index), 'dealId'], message: `deal ${item.dealId} does not exist` }]
        : []),
    ]);
    if (issues.length > 0) {
      throw new HttpError(
        400,
        'unknown_reference',
        'an activity names a company or deal this CRM does not have',
        issues,
      );
    }
  }

  // ---- tasks ----

  async createTask(
    user: AuthenticatedUser,
    input: ParsedTask,
  ): Promise<{ task: Task; status: 'created' | 'existing' }> {
    return this.db.transaction(async (tx) => {
      if (!(await this.contactExists(input.contactId, tx))) {
        throw new HttpError(404, 'not_found', `contact ${input.contactId} does not exist`);
      }
      const { rows: inserted } = await tx.query<TaskRow>(
        `INSERT INTO tasks (id, contact_id, title, notes, due_at, priority, source_external_id, created_by)
         VALUES ($1, $2, $3, $4, $5::timestamptz, $6, $7, $8)
         ON CONFLICT ON CONSTRAINT tasks_source_contact_title DO NOTHING
         RETURNING *`,
        [
          newId('tsk'),
          input.contactId,
          input.title,
          input.notes ?? null,
          input.dueAt ?? null,
          input.priority,
          input.sourceExternalId ?? null,
          user.id,
        ],
      );
      const row = inserted[0];
      if (row) return { task: toTask(row), status: 'created' as const };
      const { rows: existing } = await tx.query<TaskRow>(
        'SELECT * FROM tasks WHERE source_external_id = $1 AND contact_id = $2 AND title = $3',
        [input.sourceExternalId ?? null, input.contactId, input.title],
      );
      const found = existing[0];
      if (!found) throw new Error('task neither inserted nor found');
      return { task: toTask(found), status: 'existing' as const };
    });
  }

  // ---- helpers ----

  private async findContact(sql: Sql, id: string): Promise<Contact | null> {
    const { rows } = await sql.query<{ contact: ContactJson }>(`${CONTACT_SELECT} WHERE c.id = $1`, [id]);
    const row = rows[0];
    return row ? this.toContact(row.contact) : null;
  }

  private async findContactByEmails(sql: Sql, emails: string[]): Promise<Contact | null> {
    const { rows } = await sql.query<{ contact: ContactJson }>(
      `${CONTACT_SELECT}
       WHERE c.id = (SELECT contact_id FROM contact_emails WHERE email = ANY($1::text[]) ORDER BY position LIMIT 1)`,
      [emails],
    );
    const row = rows[0];
    return row ? this.toContact(row.contact) : null;
  }

  /** The company owning the registrable domain of one of the addresses, if any. */
  private async companyForEmails(sql: Sql, emails: string[]): Promise<string | null> {
    const domains = emails
      .map((e) => getDomain(e.slice(e.lastIndexOf('@') + 1)))
      .filter((d): d is string => typeof d === 'string');
    if (domains.length === 0) return null;
    const { rows } = await sql.query<{ company_id: string }>(
      'SELECT company_id FROM company_domains WHERE domain = ANY($1::text[]) LIMIT 1',
      [domains],
    );
    return rows[0]?.company_id ?? null;
  }

  private toContact(json: ContactJson): Contact {
    return {
      ...json,
      url: `${this.publicBaseUrl()}/contacts/${encodeURIComponent(json.id)}`,
      // JSON timestamps come as "2024-01-01T10:00:00.123+00:00"; the contract speaks Z.
      createdAt: iso(json.createdAt),
      updatedAt: iso(json.updatedAt),
    };
  }

  private toCompany(json: CompanyJson): Company {
    return { ...json, url: `${this.publicBaseUrl()}/companies/${encodeURIComponent(json.id)}` };
  }

  private toDeal(row: DealRow): Deal {
    return {
      id: row.id,
      name: row.name,
      stage: row.stage,
      amount: row.amount === null ? null : Number(row.amount),
      currency: row.currency,
      closeDate: dateOnly(row.close_date),
      contactIds: row.contact_ids,
      companyId: row.company_id,
      url: `${this.publicBaseUrl()}/deals/${encodeURIComponent(row.id)}`,
    };
  }
}

function toActivity(row: ActivityRow): EmailActivity {
  return {
    id: row.id,
    type: 'email',
    externalId: row.external_id,
    contactId: row.contact_id,
    companyId: row.company_id,
    dealId: row.deal_id,
    direction: row.direction,
    subject: row.subject,
    snippet: row.snippet,
    ...(row.body === null ? {} : { body: row.body }),
    occurredAt: iso(row.occurred_at),
    from: row.from_party,
    to: row.to_parties,
    cc: row.cc_parties,
    hasAttachments: row.has_attachments,
    threadId: row.thread_id,
    source: row.source,
    loggedBy: row.logged_by,
    loggedByName: row.logged_by_name,
    createdAt: iso(row.created_at),
  };
}

function toTask(row: TaskRow): Task {
  return {
    id: row.id,
    contactId: row.contact_id,
    title: row.title,
    notes: row.notes,
    dueAt: row.due_at === null ? null : iso(row.due_at),
    priority: row.priority,
    sourceExternalId: row.source_external_id,
    createdAt: iso(row.created_at),
  };
}
