import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { retryWithDelays } from '../../lib/async/retryWithDelays';
import type { CrmCapability } from '../../lib/crm/CrmCapabilities';
import type { CrmConnector } from '../../lib/crm/CrmConnector';
import { CrmError, type CrmErrorKind } from '../../lib/crm/CrmError';
import type { Contact, EmailActivityInput, MeResponse } from '../../lib/crm/contract';

/**
 * One CRM under test, whatever it is: how to build its connector (over any fetch, so a
 * check can drop answers), for the rep and optionally for a colleague.
 */
export interface ConformanceTarget {
  /** Shown in the report: "rest http://127.0.0.1:4000", "hubspot (fake)". */
  label: string;
  connect(options?: { fetch?: typeof fetch; as?: 'rep' | 'colleague' }): CrmConnector;
  /** The fetch `connect` uses by default; checks wrap it to lose answers. */
  fetch: typeof fetch;
  /** A second user exists: enables the "logged by a colleague" check. */
  hasColleague: boolean;
  /** A domain the CRM holds a company (account) for: enables the company-by-domain check. */
  companyDomain?: string;
  /** For the contract's HTTP checks (statuses, headers): only the `rest` CRM has them. */
  rest?: { baseUrl: string; token: string; colleagueToken?: string };
}

/** What the checks share: the target, unique names for this run, and state built up on the way. */
export interface ConformanceContext {
  target: ConformanceTarget;
  connector: CrmConnector;
  run: string;
  uniqueEmail(label: string): string;
  uniqueExternalId(): string;
  activity(contactId: string, overrides?: Partial<EmailActivityInput>): EmailActivityInput;
  me?: z.infer<typeof MeResponse>;
  contact?: Contact;
}

export interface ConformanceCheck {
  name: string;
  /** Runs only when the connector declares this capability. */
  requires?: CrmCapability;
  /** Runs only when the connector declares the capability absent: checks the declaration. */
  lacks?: CrmCapability;
  run(ctx: ConformanceContext): Promise<void>;
}

export class CheckFailed extends Error {}
export class CheckSkipped extends Error {}

export function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CheckFailed(message);
}

export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new CheckSkipped(`needs ${what}`);
  return value;
}

export function parsed<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  expect(result.success, `${what} does not match the contract: ${result.error?.issues[0]?.message ?? ''}`);
  return result.data;
}

/** The error a promise rejects with, or undefined when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

export function expectCrmError(error: unknown, kind: CrmErrorKind, what: string): asserts error is CrmError {
  expect(
    error instanceof CrmError && error.kind === kind,
    `${what}: expected a CrmError "${kind}", got ${error instanceof CrmError ? `"${error.kind}" (${error.message})` : String(error)}`,
  );
}

/**
 * Rate limits are part of a real CRM: the checks wait as the outbox would (Retry-After
 * first) instead of failing a check on a 429. Nothing else is retried.
 */
export function patiently<T>(call: () => Promise<T>, attempts = 8): Promise<T> {
  return retryWithDelays(call, { attempts, delayBeforeRetry: rateLimitWait });
}

/** How long a check waits after a 429 (Retry-After, at most 10 s), or null for anything else. */
export function rateLimitWait(error: Error): number | null {
  if (!(error instanceof CrmError) || error.kind !== 'rate_limited') return null;
  return Math.min(10_000, error.retryAfterMs ?? 1_000);
}

export function conformanceContext(target: ConformanceTarget): ConformanceContext {
  const run = randomUUID().slice(0, 8);
  return {
    target,
    connector: target.connect(),
    run,
    uniqueEmail: (label) => `${label}.${run}.${randomUUID().slice(0, 6)}@conformance-${run}.example`,
    uniqueExternalId: () => `conformance-${randomUUID()}@conformance.example`,
    activity: (contactId, overrides = {}) => ({
      type: 'email',
      externalId: `conformance-${randomUUID()}@conformance.example`,
      contactId,
      direction: 'incoming',
      subject: 'Conformance check',
      snippet: 'Created by the CRM connector conformance suite.',
      occurredAt: new Date().toISOString(),
      from: { name: 'Conformance', address: 'conformance@conformance.example' },
      to: [],
      cc: [],
      hasAttachments: false,
      threadId: null,
      source: 'gmail',
      ...overrides,
    }),
  };
}
