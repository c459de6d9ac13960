import { ALL_CAPABILITIES, type CrmCapabilities, type CrmInfo } from '../../lib/crm/CrmCapabilities';
import type {
  ActivityChange,
  ActivityMove,
  ActivityRemoval,
  CrmConnector,
  LoggedActivityRef,
} from '../../lib/crm/CrmConnector';
import { CrmError } from '../../lib/crm/CrmError';
import {
  type ActivityPage,
  type ActivityResult,
  type Company,
  type Contact,
  type ContactDetail,
  CreateContactRequest,
  DEFAULT_PAGE_LIMIT,
  type Deal,
  type EmailActivity,
  type EmailActivityInput,
  EmailAddressString,
  LogActivitiesRequest,
  type LogActivitiesResponse,
  type LoggedMessage,
  LoggedMessagesRequest,
  LookupRequest,
  type LookupResponse,
  MAX_BATCH,
  MAX_PAGE_LIMIT,
  type MeResponse,
  type Task,
  TaskInput,
  type TaskResponse,
} from '../../lib/crm/contract';

export type FakeCrmMethod = Exclude<keyof CrmConnector, 'info' | 'recordUrl'>;

/** What a fault injector sees: the call, and whether the CRM has already done its work. */
export interface FakeCrmCall {
  method: FakeCrmMethod;
  /** `before`: nothing written yet; `after`: the CRM committed, only the answer is lost. */
  phase: 'before' | 'after';
  /** Items in a logActivities batch. */
  batchSize?: number;
}

/** An error to throw, `'hang'` for a request that never answers (process killed), or nothing. */
export type FakeCrmFault = CrmError | 'hang' | undefined;

export interface FakeCrmOptions {
  user?: MeResponse['user'];
  org?: MeResponse['org'];
  now?: () => number;
  contacts?: readonly Contact[];
  companies?: readonly Company[];
  faultInjector?: (call: FakeCrmCall) => FakeCrmFault;
  /** Capabilities it declares (all by default); a method behind a missing one is `unsupported`. */
  capabilities?: Partial<CrmCapabilities>;
}

const clone = <T>(value: T): T => structuredClone(value);

/**
 * An in-memory CRM that follows CRM-CONTRACT.md: lower-cased addresses, batches of at
 * most 100 (413 otherwise), request validation with the contract's schemas (400),
 * idempotent activities on (externalId, contactId), unknown contacts as per-item errors,
 * 409 with the existing contact on a taken email, idempotent tasks on
 * (sourceExternalId, contactId, title), paging with opaque cursors. Faults can be injected
 * before or after the CRM commits, to test retries and lost answers.
 */
export class FakeCrmConnector implements CrmConnector {
  readonly info: CrmInfo;
  readonly contacts = new Map<string, Contact>();
  readonly companies = new Map<string, Company>();
  readonly activities: EmailActivity[] = [];
  /** Deals with their contacts; contact detail lists the open ones, like the reference server. */
  readonly deals = new Map<string, Deal>();
  readonly tasks: Task[] = [];
  /** Every call as it arrived (including ones that then failed). */
  readonly calls: FakeCrmCall[] = [];
  faultInjector: ((call: FakeCrmCall) => FakeCrmFault) | undefined;

  private readonly activityByKey = new Map<string, EmailActivity>();
  private readonly user: MeResponse['user'];
  private readonly org: MeResponse['org'];
  private readonly now: () => number;
  private nextId = 1;

  constructor(options: FakeCrmOptions = {}) {
    this.user = options.user ?? { id: 'user_1', name: 'Riley Rep', email: 'riley@ourco.example' };
    this.org = options.org ?? { name: 'OurCo', domains: ['ourco.example'] };
    this.now = options.now ?? Date.now;
    this.faultInjector = options.faultInjector;
    this.info = {
      type: 'rest',
      name: 'Fake CRM',
      capabilities: { ...ALL_CAPABILITIES, ...options.capabilities },
    };
    for (const c of options.contacts ?? []) this.contacts.set(c.id, clone(c));
    for (const c of options.companies ?? []) this.companies.set(c.id, clone(c));
  }

  recordUrl(record: { kind: string; id: string }): string {
    return `https://crm.example/${record.kind}s/${record.id}`;
  }

  private require(capability: keyof CrmCapabilities): void {
    if (!this.info.capabilities[capability])
      throw new CrmError('unsupported', `${this.info.name} cannot do ${capability}`);
  }

  private id(prefix: string): string {
    return `${prefix}_${this.nextId++}`;
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  /** Adds a contact directly (test setup); emails are lower-cased like the server does. */
  addContact(input: { name: string; emails: string[]; companyId?: string | null; id?: string }): Contact {
    const at = this.iso();
    const id = input.id ?? this.id('con');
    const contact: Contact = {
      id,
      name: input.name,
      emails: input.emails.map((e) => e.trim().toLowerCase()),
      title: null,
      phone: null,
      companyId: input.companyId ?? null,
      ownerName: this.user.name,
      lifecycleStage: null,
      url: `https://crm.example/contacts/${id}`,
      createdAt: at,
      updatedAt: at,
    };
    this.contacts.set(id, contact);
    return clone(contact);
  }

  addCompany(input: { name: string; domains: string[]; id?: string }): Company {
    const id = input.id ?? this.id('com');
    const company: Company = {
      id,
      name: input.name,
      domains: input.domains.map((d) => d.toLowerCase()),
      url: `https://crm.example/companies/${id}`,
    };
    this.companies.set(id, company);
    return clone(company);
  }

  /**
   * Adds a deal (test setup). Contact detail answers the open deals a contact is on, closed
   * ones (stage closed_won / closed_lost) left out, as server/CrmRepository.ts does (`d.is_open`).
   */
  addDeal(input: {
    name: string;
    contactIds: string[];
    stage?: string;
    companyId?: string | null;
    id?: string;
  }): Deal {
    const id = input.id ?? this.id('deal');
    const deal: Deal = {
      id,
      name: input.name,
      stage: input.stage ?? 'proposal',
      amount: null,
      currency: null,
      closeDate: null,
      contactIds: [...input.contactIds],
      companyId: input.companyId ?? null,
      url: `https://crm.example/deals/${id}`,
    };
    this.deals.set(id, deal);
    return clone(deal);
  }

  /** Runs the injected fault for a call phase: throws, hangs forever, or returns. */
  private async fault(call: FakeCrmCall): Promise<void> {
    if (call.phase === 'before') this.calls.push(call);
    const fault = this.faultInjector?.(call);
    if (fault === 'hang') await new Promise<never>(() => {});
    if (fault) throw fault;
  }

  private contactByEmail(email: string): Contact | undefined {
    for (const c of this.contacts.values()) if (c.emails.includes(email)) return c;
    return undefined;
  }

  async whoami(): Promise<MeResponse> {
    await this.fault({ method: 'whoami', phase: 'before' });
    return clone({ user: this.user, org: this.org });
  }

  async lookup(request: LookupRequest): Promise<LookupResponse> {
    await this.fault({ method: 'lookup', phase: 'before' });
    const parsed = LookupRequest.safeParse(request);
    if (!parsed.success)
      throw new CrmError('invalid_request', 'invalid lookup', { status: 400, details: parsed.error.issues });
    const { emails, domains } = parsed.data;
    if (emails.length > MAX_BATCH || domains.length > MAX_BATCH) {
      throw new CrmError('invalid_request', 'at most 100 emails and 100 domains', { status: 413 });
    }
    const emailSet = new Set(emails);
    const domainSet = new Set(domains);
    const { alternateEmails, companiesByDomain } = this.info.capabilities;
    const contacts = [...this.contacts.values()].filter((c) =>
      (alternateEmails ? c.emails : c.emails.slice(0, 1)).some((e) => emailSet.has(e)),
    );
    const companies = companiesByDomain
      ? [...this.companies.values()].filter((c) => c.domains.some((d) => domainSet.has(d)))
      : [];
    await this.fault({ method: 'lookup', phase: 'after' });
    return clone({ contacts, companies });
  }

  async getContact(contactId: string): Promise<ContactDetail> {
    await this.fault({ method: 'getContact', phase: 'before' });
    const contact = this.contacts.get(contactId);
    if (!contact) throw new CrmError('not_found', `no contact ${contactId}`, { status: 404 });
    const company = contact.companyId ? (this.companies.get(contact.companyId) ?? null) : null;
    const recentActivities = this.activities
      .filter((a) => a.contactId === contactId)
      .sort((a, b) => b.occurredAt.localeCompare(a.occurredAt))
      .slice(0, 10);
    const deals = [...this.deals.values()].filter(
      (d) => d.contactIds.includes(contactId) && !d.stage.startsWith('closed'),
    );
    return clone({ ...contact, company, deals, recentActivities });
  }

  async createContact(request: CreateContactRequest): Promise<Contact> {
    await this.fault({ method: 'createContact', phase: 'before' });
    this.require('createContact');
    const parsed = CreateContactRequest.safeParse(request);
    if (!parsed.success)
      throw new CrmError('invalid_request', 'invalid contact', { status: 400, details: parsed.error.issues });
    for (const email of parsed.data.emails) {
      const taken = this.contactByEmail(email);
      if (taken) {
        throw new CrmError('conflict', `${email} belongs to ${taken.name}`, {
          status: 409,
          details: { contact: clone(taken) },
        });
      }
    }
    const contact = this.addContact({
      name: parsed.data.name,
      emails: parsed.data.emails,
      companyId: parsed.data.companyId,
    });
    await this.fault({ method: 'createContact', phase: 'after' });
    return contact;
  }

  /** docs/CRM-CONTRACT.md "Alternate addresses": idempotent, 409 with the holder, 404 unknown contact. */
  async addContactEmail(contactId: string, email: string): Promise<Contact> {
    await this.fault({ method: 'addContactEmail', phase: 'before' });
    this.require('addAlternateEmail');
    const address = this.emailOf(email);
    const contact = this.contacts.get(contactId);
    if (!contact) throw new CrmError('not_found', 'contact not found', { status: 404 });
    const holder = this.contactByEmail(address);
    if (holder && holder.id !== contactId)
      throw new CrmError('conflict', `${address} belongs to ${holder.name}`, {
        status: 409,
        details: { contact: clone(holder) },
      });
    if (!holder) contact.emails = [...contact.emails, address];
    await this.fault({ method: 'addContactEmail', phase: 'after' });
    return clone(contact);
  }

  async removeContactEmail(contactId: string, email: string): Promise<Contact> {
    await this.fault({ method: 'removeContactEmail', phase: 'before' });
    this.require('addAlternateEmail');
    const address = this.emailOf(email);
    const contact = this.contacts.get(contactId);
    if (!contact) throw new CrmError('not_found', 'contact not found', { status: 404 });
    if (contact.emails[0] === address)
      throw new CrmError('invalid_request', "a contact's main email address cannot be removed", {
        status: 400,
      });
    contact.emails = contact.emails.filter((e) => e !== address);
    return clone(contact);
  }

  private emailOf(email: string): string {
    const parsed = EmailAddressString.safeParse(email);
    if (!parsed.success) throw new CrmError('invalid_request', 'invalid email', { status: 400 });
    return parsed.data;
  }

  async listContactActivities(
    contactId: string,
    page: { limit?: number; cursor?: string } = {},
  ): Promise<ActivityPage> {
    await this.fault({ method: 'listContactActivities', phase: 'before' });
    if (!this.contacts.has(contactId))
      throw new CrmError('not_found', `no contact ${contactId}`, { status: 404 });
    const limit = Math.min(MAX_PAGE_LIMIT, Math.max(1, page.limit ?? DEFAULT_PAGE_LIMIT));
    const offset = page.cursor ? Number.parseInt(page.cursor, 36) : 0;
    if (!Number.isFinite(offset) || offset < 0)
      throw new CrmError('invalid_request', 'bad cursor', { status: 400 });
    const all = this.activities
      .filter((a) => a.contactId === contactId)
      .sort((a, b) => b.occurredAt.localeCompare(a.occurredAt) || b.id.localeCompare(a.id));
    const slice = all.slice(offset, offset + limit);
    const nextCursor = offset + limit < all.length ? (offset + limit).toString(36) : null;
    return clone({ activities: slice, nextCursor });
  }

  async logActivities(activities: EmailActivityInput[]): Promise<LogActivitiesResponse> {
    await this.fault({ method: 'logActivities', phase: 'before', batchSize: activities.length });
    if (activities.length > MAX_BATCH) {
      throw new CrmError('invalid_request', `batch of ${activities.length} exceeds ${MAX_BATCH}`, {
        status: 413,
      });
    }
    const parsed = LogActivitiesRequest.safeParse({ activities });
    if (!parsed.success) {
      throw new CrmError('invalid_request', 'invalid activities', {
        status: 400,
        details: parsed.error.issues,
      });
    }
    const results: ActivityResult[] = [];
    for (const input of parsed.data.activities) {
      const key = `${input.externalId}\u0000${input.contactId}`;
      if (!this.contacts.has(input.contactId)) {
        results.push({
          status: 'error',
          externalId: input.externalId,
          contactId: input.contactId,
          code: 'unknown_contact',
          message: `no contact ${input.contactId}`,
        });
        continue;
      }
      const existing = this.activityByKey.get(key);
      if (existing) {
        results.push({
          status: 'existing',
          externalId: existing.externalId,
          contactId: existing.contactId,
          id: existing.id,
        });
        continue;
      }
      const activity: EmailActivity = {
        ...input,
        id: this.id('act'),
        type: 'email',
        companyId: input.companyId ?? null,
        dealId: input.dealId ?? null,
        threadId: input.threadId ?? null,
        loggedBy: this.user.id,
        createdAt: this.iso(),
      };
      this.activityByKey.set(key, activity);
      this.activities.push(activity);
      results.push({
        status: 'created',
        externalId: activity.externalId,
        contactId: activity.contactId,
        id: activity.id,
      });
    }
    await this.fault({ method: 'logActivities', phase: 'after', batchSize: activities.length });
    return clone({ results });
  }

  async activitiesForMessage(externalId: string): Promise<EmailActivity[]> {
    await this.fault({ method: 'activitiesForMessage', phase: 'before' });
    this.require('colleagueActivity');
    const id = externalId.trim().toLowerCase();
    return clone(this.activities.filter((a) => a.externalId === id));
  }

  /** POST /activities/logged (docs/CRM-CONTRACT.md): at most 100 normalised Message-IDs, 413 beyond. */
  async findLoggedMessages(externalIds: readonly string[]): Promise<LoggedMessage[]> {
    await this.fault({ method: 'findLoggedMessages', phase: 'before', batchSize: externalIds.length });
    this.require('colleagueActivity');
    if (externalIds.length > MAX_BATCH) {
      throw new CrmError('invalid_request', `batch of ${externalIds.length} exceeds ${MAX_BATCH}`, {
        status: 413,
      });
    }
    const parsed = LoggedMessagesRequest.safeParse({ externalIds });
    if (!parsed.success)
      throw new CrmError('invalid_request', 'invalid externalIds', {
        status: 400,
        details: parsed.error.issues,
      });
    const wanted = new Set(parsed.data.externalIds);
    const byId = new Map<string, string[]>();
    for (const a of this.activities) {
      if (!wanted.has(a.externalId)) continue;
      const list = byId.get(a.externalId) ?? [];
      if (!list.includes(a.contactId)) list.push(a.contactId);
      byId.set(a.externalId, list);
    }
    return [...byId].map(([externalId, contactIds]) => ({ externalId, contactIds }));
  }

  /** Deletes a logged activity, as a CRM user would (the audit's "removed on the CRM side"). */
  deleteActivityInCrm(externalId: string, contactId: string): boolean {
    const index = this.activities.findIndex((a) => a.externalId === externalId && a.contactId === contactId);
    if (index === -1) return false;
    this.activities.splice(index, 1);
    this.activityByKey.delete(`${externalId}\u0000${contactId}`);
    return true;
  }

  /**
   * The activity a ref names, when the caller may change it: the rep who logged it, or an
   * admin (docs/CRM-CONTRACT.md, "Remove, move or redact a logged email").
   */
  private changeable(ref: LoggedActivityRef): EmailActivity | undefined {
    const activity = this.activities.find((a) => a.id === ref.id);
    if (activity && activity.loggedBy !== this.user.id && this.user.role !== 'admin')
      throw new CrmError('auth', `activity ${ref.id} was logged by another user`, {
        status: 403,
        code: 'activity_not_yours',
      });
    return activity;
  }

  private changed(status: ActivityChange['status'], a: EmailActivity): ActivityChange {
    return {
      status,
      activity: { id: a.id, externalId: a.externalId, contactId: a.contactId, dealId: a.dealId },
    };
  }

  async removeActivity(ref: LoggedActivityRef): Promise<ActivityRemoval> {
    await this.fault({ method: 'removeActivity', phase: 'before' });
    this.require('removeActivity');
    const activity = this.changeable(ref);
    if (!activity) return { status: 'absent' };
    this.deleteActivityInCrm(activity.externalId, activity.contactId);
    await this.fault({ method: 'removeActivity', phase: 'after' });
    return { status: 'removed' };
  }

  async moveActivity(ref: LoggedActivityRef, to: ActivityMove): Promise<ActivityChange> {
    await this.fault({ method: 'moveActivity', phase: 'before' });
    this.require('moveActivity');
    const activity = this.changeable(ref);
    if (!activity) throw new CrmError('not_found', `no activity ${ref.id}`, { status: 404 });
    let result: ActivityChange;
    if ('dealId' in to) {
      this.require('deals');
      if (to.dealId !== null && !this.deals.has(to.dealId))
        throw new CrmError('invalid_request', `no deal ${to.dealId}`, { status: 400 });
      const status = activity.dealId === to.dealId ? 'unchanged' : 'changed';
      activity.dealId = to.dealId;
      result = this.changed(status, activity);
    } else if (to.contactId === activity.contactId) {
      result = this.changed('unchanged', activity);
    } else {
      if (!this.contacts.has(to.contactId))
        throw new CrmError('invalid_request', `no contact ${to.contactId}`, { status: 400 });
      const there = this.activityByKey.get(`${activity.externalId}\u0000${to.contactId}`);
      this.deleteActivityInCrm(activity.externalId, activity.contactId);
      if (there) {
        result = this.changed('changed', there);
      } else {
        activity.contactId = to.contactId;
        this.activities.push(activity);
        this.activityByKey.set(`${activity.externalId}\u0000${to.contactId}`, activity);
        result = this.changed('changed', activity);
      }
    }
    await this.fault({ method: 'moveActivity', phase: 'after' });
    return clone(result);
  }

  async redactActivity(ref: LoggedActivityRef): Promise<ActivityChange> {
    await this.fault({ method: 'redactActivity', phase: 'before' });
    this.require('redactActivity');
    const activity = this.changeable(ref);
    if (!activity) throw new CrmError('not_found', `no activity ${ref.id}`, { status: 404 });
    const already = activity.subject === '' && activity.snippet === '' && activity.body === undefined;
    activity.subject = '';
    activity.snippet = '';
    delete activity.body;
    await this.fault({ method: 'redactActivity', phase: 'after' });
    return clone(this.changed(already ? 'unchanged' : 'changed', activity));
  }

  async createTask(task: TaskInput): Promise<TaskResponse> {
    await this.fault({ method: 'createTask', phase: 'before' });
    this.require('tasks');
    const parsed = TaskInput.safeParse(task);
    if (!parsed.success)
      throw new CrmError('invalid_request', 'invalid task', { status: 400, details: parsed.error.issues });
    const input = parsed.data;
    if (!this.contacts.has(input.contactId))
      throw new CrmError('not_found', `no contact ${input.contactId}`, { status: 404 });
    const sourceExternalId = input.sourceExternalId ?? null;
    const existing = this.tasks.find(
      (t) =>
        t.sourceExternalId === sourceExternalId && t.contactId === input.contactId && t.title === input.title,
    );
    if (existing) return clone({ task: existing, status: 'existing' as const });
    const created: Task = {
      id: this.id('task'),
      contactId: input.contactId,
      title: input.title,
      notes: input.notes ?? null,
      dueAt: input.dueAt ?? null,
      priority: input.priority,
      sourceExternalId,
      createdAt: this.iso(),
    };
    this.tasks.push(created);
    await this.fault({ method: 'createTask', phase: 'after' });
    return clone({ task: created, status: 'created' as const });
  }
}
