import { retryWithDelays } from '../../lib/async/retryWithDelays';
import { ACTIVITY_CHANGE_CAPABILITIES } from '../../lib/crm/CrmCapabilities';
import type { LoggedActivityRef } from '../../lib/crm/CrmConnector';
import { CrmError } from '../../lib/crm/CrmError';
import { type EmailActivityInput, MAX_BATCH } from '../../lib/crm/contract';
import {
  CheckSkipped,
  type ConformanceCheck,
  type ConformanceContext,
  expect,
  expectCrmError,
  need,
  patiently,
  rateLimitWait,
  rejection,
} from './ConformanceCheck';

/** A fetch that lets request number `dropAt` reach the CRM and then loses its answer. */
function losingAnswer(base: typeof fetch, dropAt: number): { fetch: typeof fetch; count: () => number } {
  let n = 0;
  return {
    count: () => n,
    fetch: async (input, init) => {
      n += 1;
      const mine = n; // requests run in parallel: `n` moves on while this one is out
      const response = await base(input, init);
      if (mine !== dropAt) return response;
      await response.arrayBuffer(); // the CRM has done the work; only the answer is lost
      throw new TypeError('fetch failed', {
        cause: new Error('connection reset after the request was sent'),
      });
    },
  };
}

const baseFetchOf = (ctx: ConformanceContext): typeof fetch => ctx.target.fetch;

/**
 * Logs `one` through a connector that loses answer number `dropAt`, and returns what it
 * rejected with. A 429 on the way starts over on a fresh connector, after the wait.
 */
async function loseAnswer(
  ctx: ConformanceContext,
  dropAt: number,
  one: EmailActivityInput,
): Promise<unknown> {
  try {
    return await retryWithDelays(
      async () => {
        const lossy = ctx.target.connect({ fetch: losingAnswer(baseFetchOf(ctx), dropAt).fetch });
        const error = await rejection(lossy.logActivities([one]));
        if (error instanceof CrmError && error.kind === 'rate_limited') throw error;
        return error;
      },
      { attempts: 9, delayBeforeRetry: rateLimitWait },
    );
  } catch (error) {
    return error;
  }
}

function storedFor(ctx: ConformanceContext, externalId: string) {
  return patiently(() => ctx.connector.activitiesForMessage(externalId));
}

/** Logs one email to `contactId` and answers it as the receipt knows it. */
async function loggedRef(ctx: ConformanceContext, contactId: string): Promise<LoggedActivityRef> {
  const input = ctx.activity(contactId, { body: 'The full text of a conformance email.' });
  const [result] = (await patiently(() => ctx.connector.logActivities([input]))).results;
  expect(result?.status === 'created' && result.id, `logging answered ${JSON.stringify(result)}`);
  return { id: result.id, externalId: input.externalId, contactId };
}

/** A contact's activities for one email (read as the contact's timeline, which every CRM has). */
async function activitiesOf(ctx: ConformanceContext, contactId: string, externalId: string) {
  const page = await patiently(() => ctx.connector.listContactActivities(contactId, { limit: 100 }));
  return page.activities.filter((a) => a.externalId === externalId);
}

/** Another contact for move checks. */
async function secondContact(ctx: ConformanceContext) {
  if (!ctx.connector.info.capabilities.createContact) throw new CheckSkipped('needs a second contact');
  return patiently(() =>
    ctx.connector.createContact({ name: `Conformance other ${ctx.run}`, emails: [ctx.uniqueEmail('other')] }),
  );
}

/**
 * The checks every connector must pass, whatever CRM is behind it; a capability the
 * connector declares absent is checked as a declaration instead. Each creates its own
 * uniquely named data, so the suite can run again and again against one CRM.
 */
export const CONNECTOR_CHECKS: ConformanceCheck[] = [
  {
    name: 'whoami returns the user and organisation',
    run: async (ctx) => {
      ctx.me = await patiently(() => ctx.connector.whoami());
      expect(ctx.me.user.id !== '' && ctx.me.user.email.includes('@'), 'no user id or email');
    },
  },
  {
    name: 'createContact creates a contact with lower-cased addresses',
    requires: 'createContact',
    run: async (ctx) => {
      const primary = ctx.uniqueEmail('primary');
      const alternate = ctx.uniqueEmail('alternate');
      const emails = ctx.connector.info.capabilities.alternateEmails
        ? [primary.toUpperCase(), ` ${alternate} `]
        : [primary.toUpperCase()];
      const created = await patiently(() =>
        ctx.connector.createContact({ name: `Conformance ${ctx.run}`, emails }),
      );
      const expected = emails.map((e) => e.trim().toLowerCase());
      expect(
        expected.every((e, i) => created.emails[i] === e),
        `emails ${JSON.stringify(created.emails)}, expected ${JSON.stringify(expected)}`,
      );
      ctx.contact = created;
    },
  },
  {
    name: 'lookup finds a contact by its main address, case-insensitively',
    run: async (ctx) => {
      const c = need(ctx.contact, 'a created contact');
      const found = await patiently(() =>
        ctx.connector.lookup({ emails: [` ${c.emails[0]?.toUpperCase()} `] }),
      );
      expect(
        found.contacts.length === 1 && found.contacts[0]?.id === c.id,
        `found ${found.contacts.map((x) => x.id).join(', ') || 'nothing'}`,
      );
    },
  },
  {
    name: 'lookup finds a contact by an alternate address',
    requires: 'alternateEmails',
    run: async (ctx) => {
      const c = need(ctx.contact, 'a created contact');
      const alternate = need(c.emails[1], 'a contact with an alternate address');
      const found = await patiently(() => ctx.connector.lookup({ emails: [alternate.toUpperCase()] }));
      expect(
        found.contacts.length === 1 && found.contacts[0]?.id === c.id,
        `found ${found.contacts.map((x) => x.id).join(', ') || 'nothing'}`,
      );
    },
  },
  {
    name: 'lookup answers unknown addresses and domains with empty lists',
    run: async (ctx) => {
      const found = await patiently(() =>
        ctx.connector.lookup({ emails: [ctx.uniqueEmail('nobody')], domains: [`nobody-${ctx.run}.example`] }),
      );
      expect(found.contacts.length === 0 && found.companies.length === 0, 'expected no matches');
    },
  },
  {
    name: 'lookup finds a company by domain',
    requires: 'companiesByDomain',
    run: async (ctx) => {
      const domain = need(ctx.target.companyDomain, 'a company domain (--company-domain)');
      const found = await patiently(() =>
        ctx.connector.lookup({ emails: [], domains: [domain.toUpperCase()] }),
      );
      expect(
        found.companies.some((c) => c.domains.includes(domain)),
        `no company with domain ${domain} (found ${found.companies.map((c) => c.name).join(', ') || 'none'})`,
      );
    },
  },
  {
    name: 'createContact with a taken address is a conflict carrying the existing contact',
    requires: 'createContact',
    run: async (ctx) => {
      const c = need(ctx.contact, 'a created contact');
      const taken = c.emails[c.emails.length - 1] ?? '';
      const error = await rejection(
        ctx.connector.createContact({ name: 'Duplicate', emails: [taken.toUpperCase()] }),
      );
      expectCrmError(error, 'conflict', 'a taken address');
      const details = error.options.details as { contact?: { id?: string } } | undefined;
      expect(details?.contact?.id === c.id, 'details.contact is not the existing contact');
    },
  },
  {
    name: 'getContact returns the contact with company, deals and recent activities',
    run: async (ctx) => {
      const c = need(ctx.contact, 'a created contact');
      const detail = await patiently(() => ctx.connector.getContact(c.id));
      expect(detail.id === c.id, 'another contact came back');
      expect(Array.isArray(detail.deals) && Array.isArray(detail.recentActivities), 'no deals or activities');
    },
  },
  {
    name: 'getContact of an unknown id is not_found',
    run: async (ctx) => {
      const c = need(ctx.contact, 'a created contact');
      // Same shape as a real id (Salesforce and HubSpot reject malformed ids differently).
      const unknown = c.id.replace(/.{4}$/, (tail) => (tail === '0000' ? '0001' : '0000'));
      expectCrmError(await rejection(ctx.connector.getContact(unknown)), 'not_found', 'an unknown id');
    },
  },
  {
    name: 'logActivities creates, and the same batch again is "existing" with the same ids',
    run: async (ctx) => {
      const c = need(ctx.contact, 'a created contact');
      const batch = Array.from({ length: 3 }, () => ctx.activity(c.id));
      const first = await patiently(() => ctx.connector.logActivities(batch));
      expect(
        first.results.every((r) => r.status === 'created'),
        `first batch: ${first.results.map((r) => r.status)}`,
      );
      const again = await patiently(() => ctx.connector.logActivities(batch));
      expect(
        again.results.every((r) => r.status === 'existing'),
        `second batch: ${again.results.map((r) => r.status)}`,
      );
      expect(
        again.results.every((r, i) => r.id === first.results[i]?.id),
        'the second batch returned other ids',
      );
    },
  },
  {
    name: 'logActivities: 10 concurrent identical batches log exactly one activity',
    requires: 'colleagueActivity',
    run: async (ctx) => {
      const c = need(ctx.contact, 'a created contact');
      const one = ctx.activity(c.id);
      // Ten tabs or reps, each with its own connector.
      const all = await Promise.all(
        Array.from({ length: 10 }, () => patiently(() => ctx.target.connect().logActivities([one]))),
      );
      const results = all.map((r) => r.results[0]);
      const created = results.filter((r) => r?.status === 'created').length;
      expect(created === 1, `${created} batches said "created", expected 1`);
      expect(new Set(results.map((r) => r?.id)).size === 1, 'batches returned different ids');
      const stored = await storedFor(ctx, one.externalId);
      expect(stored.length === 1, `${stored.length} activities stored, expected 1`);
    },
  },
  {
    name: 'logActivities: a retry after any lost answer logs exactly one activity, linked to the contact',
    requires: 'colleagueActivity',
    run: async (ctx) => {
      const c = need(ctx.contact, 'a created contact');
      // Learn how many requests one batch takes, then lose each of their answers in turn.
      const counting = losingAnswer(baseFetchOf(ctx), 0);
      await patiently(() =>
        ctx.target.connect({ fetch: counting.fetch }).logActivities([ctx.activity(c.id)]),
      );
      const requests = counting.count();
      expect(requests > 0, 'the batch made no request');
      for (let dropAt = 1; dropAt <= requests; dropAt++) {
        const one = ctx.activity(c.id);
        expectCrmError(await loseAnswer(ctx, dropAt, one), 'network', `answer ${dropAt} lost`);
        const retry = await patiently(() => ctx.target.connect().logActivities([one]));
        expect(
          retry.results[0]?.status === 'created' || retry.results[0]?.status === 'existing',
          `retry after losing answer ${dropAt}: ${JSON.stringify(retry.results[0])}`,
        );
        const stored = await storedFor(ctx, one.externalId);
        expect(stored.length === 1, `answer ${dropAt} lost: ${stored.length} activities stored, expected 1`);
        const detail = await patiently(() => ctx.connector.getContact(c.id));
        expect(
          detail.recentActivities.some((a) => a.externalId === one.externalId),
          `answer ${dropAt} lost: the activity is not linked to the contact after the retry`,
        );
      }
    },
  },
  {
    name: 'logActivities reports an unknown contact per item and logs the rest',
    run: async (ctx) => {
      const c = need(ctx.contact, 'a created contact');
      const unknown = c.id.replace(/.{4}$/, (tail) => (tail === '0000' ? '0001' : '0000'));
      const response = await patiently(() =>
        ctx.connector.logActivities([ctx.activity(c.id), ctx.activity(unknown)]),
      );
      expect(response.results[0]?.status === 'created', 'the good item was not created');
      expect(response.results[1]?.status === 'error', 'the unknown contact was not a per-item error');
    },
  },
  {
    name: `logActivities with more than ${MAX_BATCH} items is refused, nothing logged`,
    run: async (ctx) => {
      const c = need(ctx.contact, 'a created contact');
      const batch = Array.from({ length: MAX_BATCH + 1 }, () => ctx.activity(c.id));
      expectCrmError(
        await rejection(ctx.connector.logActivities(batch)),
        'invalid_request',
        'an oversized batch',
      );
      if (ctx.connector.info.capabilities.colleagueActivity) {
        const stored = await storedFor(ctx, batch[0]!.externalId);
        expect(stored.length === 0, 'part of the oversized batch was logged');
      }
    },
  },
  {
    name: 'activitiesForMessage finds a logged email with who logged it',
    requires: 'colleagueActivity',
    run: async (ctx) => {
      const c = need(ctx.contact, 'a created contact');
      const m = need(ctx.me, 'whoami');
      const one = ctx.activity(c.id);
      await patiently(() => ctx.connector.logActivities([one]));
      const found = await storedFor(ctx, one.externalId);
      expect(
        found.length === 1 && found[0]?.loggedBy === m.user.id && found[0]?.contactId === c.id,
        `found ${JSON.stringify(found.map((a) => ({ loggedBy: a.loggedBy, contactId: a.contactId })))}`,
      );
    },
  },
  {
    name: 'activitiesForMessage shows what a colleague logged',
    requires: 'colleagueActivity',
    run: async (ctx) => {
      if (!ctx.target.hasColleague) throw new CheckSkipped('needs a colleague (--colleague-token)');
      const c = need(ctx.contact, 'a created contact');
      const colleague = ctx.target.connect({ as: 'colleague' });
      const colleagueMe = await patiently(() => colleague.whoami());
      const one = ctx.activity(c.id);
      await patiently(() => colleague.logActivities([one]));
      const found = await storedFor(ctx, one.externalId);
      expect(found[0]?.loggedBy === colleagueMe.user.id, "the colleague's activity is not visible");
      const again = await patiently(() => ctx.connector.logActivities([one]));
      expect(again.results[0]?.status === 'existing', 'logging it again created a second activity');
    },
  },
  {
    name: 'findLoggedMessages answers which of a batch of Message-IDs are logged, to which contacts',
    requires: 'colleagueActivity',
    run: async (ctx) => {
      const find = ctx.connector.findLoggedMessages?.bind(ctx.connector);
      if (!find) throw new CheckSkipped('the connector has no batch lookup (the audit asks one at a time)');
      const c = need(ctx.contact, 'a created contact');
      const logged = ctx.activity(c.id);
      const unknown = ctx.uniqueExternalId();
      await patiently(() => ctx.connector.logActivities([logged]));
      const found = await patiently(() => find([logged.externalId, unknown]));
      expect(
        found.length === 1 &&
          found[0]?.externalId === logged.externalId &&
          found[0]?.contactIds.includes(c.id),
        `found ${JSON.stringify(found)}`,
      );
      const full = Array.from({ length: MAX_BATCH }, (_, i) =>
        i === 0 ? logged.externalId : ctx.uniqueExternalId(),
      );
      const inFull = await patiently(() => find(full));
      expect(inFull.length === 1, `a full batch of ${MAX_BATCH} found ${inFull.length}, expected 1`);
    },
  },
  {
    name: 'createTask creates a task, and the same task again is "existing"',
    requires: 'tasks',
    run: async (ctx) => {
      const c = need(ctx.contact, 'a created contact');
      const task = {
        contactId: c.id,
        title: 'Conformance follow-up',
        sourceExternalId: ctx.uniqueExternalId(),
      };
      const first = await patiently(() => ctx.connector.createTask(task));
      const again = await patiently(() => ctx.connector.createTask(task));
      expect(first.status === 'created', `first: ${first.status}`);
      expect(
        again.status === 'existing' && again.task.id === first.task.id,
        'the second call created another task',
      );
    },
  },
  // Changing a logged email (CrmConnector removeActivity / moveActivity / redactActivity).
  {
    name: 'removeActivity takes a logged email off its contact; a repeat answers "absent"',
    requires: 'removeActivity',
    run: async (ctx) => {
      const c = need(ctx.contact, 'a created contact');
      const ref = await loggedRef(ctx, c.id);
      const first = await patiently(() => ctx.connector.removeActivity(ref));
      const again = await patiently(() => ctx.connector.removeActivity(ref));
      expect(
        first.status === 'removed' && again.status === 'absent',
        `${first.status}, then ${again.status}`,
      );
      const left = await activitiesOf(ctx, c.id, ref.externalId);
      expect(left.length === 0, `${left.length} activities left for the removed email`);
    },
  },
  {
    name: 'moveActivity moves a logged email to another contact; a repeat is "unchanged"',
    requires: 'moveActivity',
    run: async (ctx) => {
      const c = need(ctx.contact, 'a created contact');
      const other = await secondContact(ctx);
      const ref = await loggedRef(ctx, c.id);
      const moved = await patiently(() => ctx.connector.moveActivity(ref, { contactId: other.id }));
      expect(
        moved.status === 'changed' && moved.activity.contactId === other.id,
        `moved: ${JSON.stringify(moved)}`,
      );
      const again = await patiently(() =>
        ctx.connector.moveActivity(moved.activity, { contactId: other.id }),
      );
      expect(again.status === 'unchanged', `again: ${again.status}`);
      const onOther = await activitiesOf(ctx, other.id, ref.externalId);
      const onFirst = await activitiesOf(ctx, c.id, ref.externalId);
      expect(onOther.length === 1 && onFirst.length === 0, `${onFirst.length} left, ${onOther.length} moved`);
    },
  },
  {
    name: 'redactActivity keeps who and when only; a repeat is "unchanged"',
    requires: 'redactActivity',
    run: async (ctx) => {
      const c = need(ctx.contact, 'a created contact');
      const ref = await loggedRef(ctx, c.id);
      const first = await patiently(() => ctx.connector.redactActivity(ref));
      const again = await patiently(() => ctx.connector.redactActivity(ref));
      expect(
        first.status === 'changed' && again.status === 'unchanged',
        `${first.status}, then ${again.status}`,
      );
      const [stored] = await activitiesOf(ctx, c.id, ref.externalId);
      expect(
        stored !== undefined && stored.subject === '' && stored.snippet === '' && !stored.body,
        `still holds: ${JSON.stringify({ subject: stored?.subject, snippet: stored?.snippet })}`,
      );
      expect(stored.from.address === 'conformance@conformance.example', 'the sender was lost');
    },
  },
  {
    name: 'redactActivity of a removed activity is not_found',
    requires: 'redactActivity',
    run: async (ctx) => {
      const c = need(ctx.contact, 'a created contact');
      const ref = await loggedRef(ctx, c.id);
      await patiently(() => ctx.connector.removeActivity(ref));
      expectCrmError(await rejection(ctx.connector.redactActivity(ref)), 'not_found', 'redactActivity');
    },
  },
  // Declarations: a connector without a capability says so instead of failing later.
  {
    name: 'declares no contact creation: createContact is unsupported',
    lacks: 'createContact',
    run: async (ctx) => {
      const error = await rejection(
        ctx.connector.createContact({ name: 'X', emails: [ctx.uniqueEmail('x')] }),
      );
      expectCrmError(error, 'unsupported', 'createContact');
    },
  },
  {
    name: 'declares no tasks: createTask is unsupported',
    lacks: 'tasks',
    run: async (ctx) => {
      const c = need(ctx.contact, 'a contact');
      expectCrmError(
        await rejection(ctx.connector.createTask({ contactId: c.id, title: 'X' })),
        'unsupported',
        'createTask',
      );
    },
  },
  {
    name: 'declares no colleague activity: activitiesForMessage is unsupported',
    lacks: 'colleagueActivity',
    run: async (ctx) => {
      expectCrmError(
        await rejection(ctx.connector.activitiesForMessage(ctx.uniqueExternalId())),
        'unsupported',
        'activitiesForMessage',
      );
    },
  },
  ...ACTIVITY_CHANGE_CAPABILITIES.map(
    (capability): ConformanceCheck => ({
      name: `declares no ${capability}: ${capability} is unsupported`,
      lacks: capability,
      run: async (ctx) => {
        const c = need(ctx.contact, 'a contact');
        const ref = { id: 'conformance-absent', externalId: ctx.uniqueExternalId(), contactId: c.id };
        const call =
          capability === 'removeActivity'
            ? ctx.connector.removeActivity(ref)
            : capability === 'moveActivity'
              ? ctx.connector.moveActivity(ref, { contactId: c.id })
              : ctx.connector.redactActivity(ref);
        expectCrmError(await rejection(call), 'unsupported', capability);
      },
    }),
  ),
  {
    name: 'declares no deals: contact detail carries none',
    lacks: 'deals',
    run: async (ctx) => {
      const c = need(ctx.contact, 'a contact');
      const detail = await patiently(() => ctx.connector.getContact(c.id));
      expect(detail.deals.length === 0, 'deals came back from a CRM that declares none');
    },
  },
  {
    name: 'declares no company lookup: lookup by domain answers no companies',
    lacks: 'companiesByDomain',
    run: async (ctx) => {
      const domain = ctx.target.companyDomain ?? `any-${ctx.run}.example`;
      const found = await patiently(() => ctx.connector.lookup({ emails: [], domains: [domain] }));
      expect(found.companies.length === 0, 'companies came back from a CRM that declares no domain lookup');
    },
  },
];
