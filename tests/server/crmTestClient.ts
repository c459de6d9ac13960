import { randomUUID } from 'node:crypto';
import type { EmailActivityInput } from '../../lib/crm/contract';

/** Raw HTTP against a running CRM, for checking status codes and headers exactly. */
export function crmTestClient(baseUrl: string, defaultToken: string) {
  return async function api(
    method: string,
    path: string,
    body?: unknown,
    token: string | null = defaultToken,
    // biome-ignore lint/suspicious/noExplicitAny: tests probe bodies, including wrong ones, field by field
  ): Promise<{ status: number; json: any; headers: Headers }> {
    const response = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: {
        ...(token === null ? {} : { Authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined, headers: response.headers };
  };
}

/** A unique Message-ID per call, so suites can run again on the same database. */
export function uniqueExternalId(label = 'msg'): string {
  return `${label}-${randomUUID()}@test.example`;
}

export function uniqueEmail(label = 'person'): string {
  return `${label}.${randomUUID().slice(0, 12)}@conformance.example`;
}

export function emailActivity(
  contactId: string,
  overrides: Partial<EmailActivityInput> = {},
): EmailActivityInput {
  return {
    type: 'email',
    externalId: uniqueExternalId(),
    contactId,
    direction: 'incoming',
    subject: 'Quarterly review',
    snippet: 'Looking forward to it.',
    occurredAt: new Date().toISOString(),
    from: { name: 'Someone', address: 'someone@example.com' },
    to: [{ name: 'Dana Whitfield', address: 'dana.whitfield@northwind-trading.com' }],
    cc: [],
    hasAttachments: false,
    threadId: null,
    source: 'gmail',
    ...overrides,
  };
}
