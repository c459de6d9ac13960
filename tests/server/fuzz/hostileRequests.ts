import fc from 'fast-check';
import { SEED } from '../../../server/seed';

/** One request as it goes on the wire; the body is raw text or bytes, never re-encoded. */
export interface HostileRequest {
  /** `METHOD /path/template` of the openapi.json operation it aims at. */
  operation: string;
  /** What kind of attack it is, for the per-category figures. */
  category: string;
  method: string;
  /** Path and query, already encoded as they should travel. */
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
}

/** A token is chosen per request: mostly the real one, so requests get past authentication. */
export interface FuzzTokens {
  valid: string;
}

// ---- hostile values ----

const NUL = '\u0000';
const LONE_HIGH = '\ud800';
const LONE_LOW = '\udfff';

const SQL_METACHARACTERS = [
  "' OR '1'='1",
  "'; DROP TABLE contacts; --",
  '" OR ""="',
  "\\'; SELECT pg_sleep(1); --",
  '%',
  '_',
  '\\',
  '$1',
  "E'\\x00'",
  '/* */',
  '); DELETE FROM activities; --',
  "con_seed_alice' --",
];

const UNICODE_SAMPLES = [
  'Zoë Åström',
  '李小龍',
  'مرحبا',
  '\u202eevil\u202c',
  'e\u0301\u0301\u0301',
  '😀👨‍👩‍👧‍👦',
  '\ufeff',
  '\u2028\u2029',
  'ＡＢＣ',
  '\u{10ffff}',
];

/** Strings an attacker would try in any text field. */
const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...SQL_METACHARACTERS),
  fc.constantFrom(...UNICODE_SAMPLES),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ maxLength: 40 }).map((s) => `${s}${NUL}${s}`),
  fc.string({ maxLength: 20 }).map((s) => `${s}${LONE_HIGH}`),
  fc.string({ maxLength: 20 }).map((s) => `${LONE_LOW}${s}`),
  fc.constantFrom('', ' ', '\t\n', NUL),
  // Longer than any index can hold, in one-, three- and four-byte characters.
  fc
    .constantFrom('a', 'é', '漢', '😀')
    .chain((unit) => fc.integer({ min: 300, max: 12_000 }).map((n) => unit.repeat(n))),
  fc.integer({ min: 100_000, max: 400_000 }).map((n) => 'x'.repeat(n)),
);

const hostileDate: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '0000-01-01T00:00:00Z',
    '0000-12-31T23:59:59.999Z',
    '0001-01-01T00:00:00+01:00',
    '9999-12-31T23:59:59-05:00',
    '10000-01-01T00:00:00Z',
    '-000001-01-01T00:00:00Z',
    '2024-02-30T00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2024-01-01T24:00:00Z',
    '2024-01-01T00:00:60Z',
    '2024-01-01T00:00:00+25:00',
    '2024-01-01',
    'yesterday',
    '1e309',
  ),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  hostileString,
);

/** Any JSON value, including kinds no field expects. */
const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1e308, -0, Number.MAX_SAFE_INTEGER + 2, [], {}),
  fc.double(),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
  fc.constant({ __proto__: { admin: true }, constructor: { prototype: {} } }),
);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: wrongType },
  { weight: 1, arbitrary: hostileDate },
);

// ---- valid shapes to start from (CRM-CONTRACT.md, lib/crm/contract.ts) ----

function validParty(): { name: string; address: string } {
  return { name: 'Alice Moreau', address: SEED.contacts.primary.email };
}

function validActivity(seq: number): Record<string, unknown> {
  return {
    type: 'email',
    externalId: `fuzz-${seq}@fuzz.example`,
    contactId: SEED.contacts.primary.id,
    direction: 'incoming',
    subject: 'Fuzz',
    snippet: 'snippet',
    occurredAt: '2024-05-01T10:00:00Z',
    from: validParty(),
    to: [validParty()],
    cc: [],
    hasAttachments: false,
    threadId: null,
    source: 'gmail',
  };
}

/** Valid request bodies, per operation, that the mutations start from. */
const VALID_BODIES: Record<string, (seq: number) => unknown> = {
  'POST /api/v1/lookup': () => ({
    emails: [SEED.contacts.primary.email],
    domains: [SEED.companies.acme.domain],
  }),
  'POST /api/v1/contacts': (seq) => ({
    name: 'Fuzz Person',
    emails: [`fuzz.person.${seq}@fuzz.example`],
    title: null,
    phone: null,
    companyId: null,
  }),
  'POST /api/v1/activities': (seq) => ({ activities: [validActivity(seq)] }),
  'POST /api/v1/activities/logged': (seq) => ({ externalIds: [validActivity(seq).externalId] }),
  'PUT /api/v1/org/settings': (seq) => ({
    settings: {
      excludedDomains: [`fuzz-${seq}.example`],
      neverLogAddresses: [`legal.${seq}@fuzz.example`],
      neverLogDomains: [],
      filterAutomatedMail: true,
      privacyUpperBound: 'snippet',
      createContactPolicy: null,
    },
  }),
  // Aimed at the literal `{id}` (no such activity or contact): the body is parsed and refused or
  // answered 404, and no seeded row changes.
  'PATCH /api/v1/activities/{id}': () => ({ privacy: 'metadata' }),
  'POST /api/v1/contacts/{id}/emails': (seq) => ({ email: `other.${seq}@fuzz.example` }),
  'POST /api/v1/tasks': (seq) => ({
    contactId: SEED.contacts.primary.id,
    title: 'Follow up',
    notes: null,
    dueAt: '2024-06-01T09:00:00Z',
    priority: 'normal',
    sourceExternalId: `fuzz-${seq}@fuzz.example`,
  }),
};

/** Every operation the fuzzer knows how to aim at; the test checks this covers openapi.json. */
export const FUZZED_OPERATIONS = [
  'GET /api/v1/me',
  'POST /api/v1/lookup',
  'GET /api/v1/contacts/{id}',
  'POST /api/v1/contacts',
  'GET /api/v1/contacts/{id}/activities',
  'POST /api/v1/activities',
  'GET /api/v1/activities',
  'POST /api/v1/activities/logged',
  'POST /api/v1/tasks',
  'GET /api/v1/org/settings',
  'PUT /api/v1/org/settings',
  'DELETE /api/v1/activities/{id}',
  'PATCH /api/v1/activities/{id}',
  'POST /api/v1/contacts/{id}/emails',
  'DELETE /api/v1/contacts/{id}/emails/{email}',
] as const;

// ---- mutations of a JSON body ----

type Json = unknown;

/** Paths to every value inside a JSON value (objects and arrays included). */
function pathsOf(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const paths = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => void paths.push(...pathsOf(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) paths.push(...pathsOf(v, [...prefix, k]));
  return paths;
}

function setAt(value: Json, path: (string | number)[], replacement: Json): Json {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  if (Array.isArray(value)) {
    const copy = [...value];
    copy[head as number] = setAt(copy[head as number], rest, replacement);
    return copy;
  }
  const copy = { ...(value as Record<string, Json>) };
  copy[head] = setAt(copy[head], rest, replacement);
  return copy;
}

function deepNesting(depth: number, open: string, close: string): string {
  return `${open.repeat(depth)}1${close.repeat(depth)}`;
}

const bodyAttack = (
  operation: string,
  seq: number,
): fc.Arbitrary<{ category: string; body: string | Uint8Array<ArrayBuffer> }> => {
  const valid = VALID_BODIES[operation]!(seq);
  const paths = pathsOf(valid).filter((p) => p.length > 0);
  const json = (category: string, value: Json) => ({ category, body: JSON.stringify(value) });
  return fc.oneof(
    // One field replaced by something hostile (hostile string, wrong type, bad date).
    {
      weight: 6,
      arbitrary: fc
        .tuple(fc.constantFrom(...paths), hostileValue)
        .map(([path, v]) => json('field', setAt(valid, path, v))),
    },
    // Several fields at once.
    {
      weight: 2,
      arbitrary: fc
        .array(fc.tuple(fc.constantFrom(...paths), hostileValue), { minLength: 2, maxLength: 5 })
        .map((edits) =>
          json(
            'fields',
            edits.reduce<Json>((acc, [p, v]) => setAt(acc, p, v), valid),
          ),
        ),
    },
    // Unknown and prototype-polluting keys beside the real ones.
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('__proto__', 'constructor', 'prototype', 'id', 'loggedBy', NUL)
        .map((key) => ({
          category: 'extra_keys',
          body: `${JSON.stringify(valid).slice(0, -1)},${JSON.stringify(key)}:{"polluted":true}}`,
        })),
    },
    // Not JSON, or JSON the parser must not choke on.
    {
      weight: 2,
      arbitrary: fc
        .oneof(
          fc.constantFrom(
            '',
            '{',
            '}',
            '{"emails": [',
            'null',
            '[]',
            '"text"',
            '0',
            'NaN',
            '{"a":1,}',
            '\u0000',
          ),
          fc.string({ maxLength: 200 }),
          fc.constant(JSON.stringify(valid).slice(0, -3)),
        )
        .map((body) => ({ category: 'malformed_json', body })),
    },
    {
      weight: 1,
      arbitrary: fc
        .uint8Array({ minLength: 1, maxLength: 200 })
        .map((bytes) => ({ category: 'invalid_utf8', body: new Uint8Array([0x7b, 0xff, 0xfe, ...bytes]) })),
    },
    // Lone surrogates written as JSON escapes (JSON.stringify writes them so too).
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...paths), fc.constantFrom('\\ud800', '\\udc00', '\\ud83d', '\\u0000'))
        .map(([path, jsonEscape]) => ({
          category: 'json_escapes',
          body: JSON.stringify(setAt(valid, path, 'MARK')).replace('"MARK"', `"a${jsonEscape}b"`),
        })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 1_000, max: 100_000 }), fc.constantFrom(['[', ']'], ['{"a":', '}']))
        .map(([depth, [open, close]]) => ({
          category: 'deep_nesting',
          body: deepNesting(depth, open!, close!),
        })),
    },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 1_000, max: 50_000 }).map((depth) => {
        const nested = deepNesting(depth, '[', ']');
        const target = paths[seq % paths.length]!;
        return {
          category: 'deep_nesting',
          body: JSON.stringify(setAt(valid, target, 'MARK')).replace('"MARK"', nested),
        };
      }),
    },
    // Oversized batches of otherwise valid items.
    {
      weight: 2,
      arbitrary: fc.integer({ min: 101, max: 2_000 }).map((n) => {
        const body =
          operation === 'POST /api/v1/activities'
            ? { activities: Array.from({ length: n }, (_, i) => validActivity(seq * 10_000 + i)) }
            : operation === 'POST /api/v1/activities/logged'
              ? { externalIds: Array.from({ length: n }, (_, i) => `m${seq}.${i}@fuzz.example`) }
              : operation === 'POST /api/v1/lookup'
                ? { emails: Array.from({ length: n }, (_, i) => `p${i}@fuzz.example`), domains: [] }
                : operation === 'POST /api/v1/contacts'
                  ? {
                      name: 'Fuzz',
                      emails: Array.from({ length: n }, (_, i) => `p${seq}.${i}@fuzz.example`),
                    }
                  : { ...(valid as object), title: 'x'.repeat(n * 10) };
        return json('oversized_batch', body);
      }),
    },
  );
};

// ---- path and query attacks ----

const hostilePathSegment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '%00',
    '%ED%A0%80',
    '%FF%FE',
    '%C0%AF',
    '..%2F..%2Fetc%2Fpasswd',
    '%2e%2e',
    "con_seed_alice'%20OR%20'1'%3D'1",
    '%25',
    '%E2%80%AE',
    '%F0%9F%98%80',
  ),
  hostileString.map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, ''))),
  fc.integer({ min: 3_000, max: 60_000 }).map((n) => 'c'.repeat(n)),
  fc.constant(SEED.contacts.primary.id),
);

/** Cursors: garbage, and well-formed base64url JSON that lies about its position. */
const tamperedCursor: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', '%00', 'not-base64!!', '====', 'e30', '%ED%A0%80'),
  fc
    .record({
      t: fc.oneof(hostileDate, wrongType),
      id: fc.oneof(hostileString, wrongType),
    })
    .map((position) => Buffer.from(JSON.stringify(position), 'utf8').toString('base64url')),
  fc
    .oneof(
      hostileString,
      wrongType.map((v) => JSON.stringify(v)),
    )
    .map((raw) => Buffer.from(String(raw), 'utf8').toString('base64url')),
  fc.integer({ min: 10_000, max: 200_000 }).map((n) => 'A'.repeat(n)),
);

const hostileLimit: fc.Arbitrary<string> = fc.constantFrom(
  '-1',
  '0',
  '101',
  '1e309',
  'NaN',
  'Infinity',
  '0x10',
  '1.5',
  '%00',
  '',
  '99999999999999999999',
  '10&limit=20',
);

const hostileQueryValue: fc.Arbitrary<string> = fc.oneof(
  hostilePathSegment,
  fc.constantFrom('%3Cabc%40example.com%3E', '%3C%3E', '%3C', 'a%00b%40c'),
);

function query(params: Record<string, string | undefined>): string {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v}`);
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

// ---- tokens ----

const forgedAuthorization: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(
    '',
    'Bearer',
    'Bearer ',
    'Basic dXNlcjpwYXNz',
    'bearer crm_forged',
    'Bearer crm_colleague_demo_token_0000000000000000000001',
    "Bearer ' OR '1'='1",
    'Bearer a b c',
    'Bearer %00',
  ),
  fc
    .string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 60 })
    .map((s) => `Bearer ${s.replace(/\s/g, '')}x`),
  fc.integer({ min: 1_000, max: 8_000 }).map((n) => `Bearer crm_${'A'.repeat(n)}`),
);

// ---- one request ----

function operationRequest(operation: string, seq: number, tokens: FuzzTokens): fc.Arbitrary<HostileRequest> {
  const [method, template] = operation.split(' ') as [string, string];
  const json = { 'Content-Type': 'application/json' };
  const auth = (value: string | undefined): Record<string, string> =>
    value === undefined ? {} : { Authorization: value };
  const validAuth = auth(`Bearer ${tokens.valid}`);
  const hasBody = method === 'POST' || method === 'PUT' || method === 'PATCH';

  const withBody = (
    attack: { category: string; body: string | Uint8Array<ArrayBuffer> },
    path = template,
  ) => ({
    operation,
    category: attack.category,
    method,
    path,
    headers: { ...validAuth, ...json },
    body: attack.body,
  });

  const attacks: fc.WeightedArbitrary<HostileRequest>[] = [];
  const add = (weight: number, arbitrary: fc.Arbitrary<HostileRequest>) =>
    attacks.push({ weight, arbitrary });
  add(
    1,
    forgedAuthorization.map((authorization) => ({
      operation,
      category: 'forged_token',
      method,
      path: template.replace('{id}', SEED.contacts.primary.id),
      headers: { ...auth(authorization), ...(hasBody ? json : {}) },
      ...(hasBody ? { body: JSON.stringify(VALID_BODIES[operation]!(seq)) } : {}),
    })),
  );

  if (hasBody) {
    add(
      8,
      bodyAttack(operation, seq).map((attack) => withBody(attack)),
    );
    add(
      1,
      fc
        .constantFrom(
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          '',
        )
        .map((contentType) => ({
          operation,
          category: 'content_type',
          method,
          path: template,
          headers: { ...validAuth, 'Content-Type': contentType },
          body: JSON.stringify(VALID_BODIES[operation]!(seq)),
        })),
    );
  }
  if (template.includes('{id}')) {
    add(
      3,
      hostilePathSegment.map((id) => ({
        operation,
        category: 'path_param',
        method,
        path: template.replace('{id}', id),
        headers: validAuth,
      })),
    );
  }
  if (operation === 'GET /api/v1/contacts/{id}/activities') {
    add(
      4,
      fc
        .record({
          limit: fc.option(hostileLimit, { nil: undefined }),
          cursor: fc.option(tamperedCursor, { nil: undefined }),
        })
        .map((q) => ({
          operation,
          category: 'tampered_cursor',
          method,
          path: `${template.replace('{id}', SEED.contacts.primary.id)}${query(q)}`,
          headers: validAuth,
        })),
    );
  }
  if (operation === 'GET /api/v1/activities') {
    add(
      4,
      fc.option(hostileQueryValue, { nil: undefined }).map((externalId) => ({
        operation,
        category: 'query_param',
        method,
        path: `${template}${query({ externalId })}`,
        headers: validAuth,
      })),
    );
  }
  if (operation === 'GET /api/v1/me') {
    add(
      1,
      fc.constantFrom('PUT', 'DELETE', 'PATCH', 'POST').map((wrongMethod) => ({
        operation,
        category: 'wrong_method',
        method: wrongMethod,
        path: template,
        headers: { ...validAuth, ...json },
        body: '{}',
      })),
    );
  }
  return fc.oneof(...attacks);
}

/**
 * `count` hostile requests, spread evenly over `operations` (round robin), reproducible
 * from `seed`.
 */
export function hostileRequests(
  operations: readonly string[],
  count: number,
  seed: number,
  tokens: FuzzTokens,
): HostileRequest[] {
  const perOperation = Math.ceil(count / operations.length);
  const byOperation = operations.map((operation, index) =>
    fc.sample(
      fc.integer({ min: 0, max: 2 ** 30 }).chain((n) => operationRequest(operation, n, tokens)),
      { numRuns: perOperation, seed: seed + index },
    ),
  );
  const requests: HostileRequest[] = [];
  for (let i = 0; i < perOperation && requests.length < count; i++) {
    for (const list of byOperation) {
      const request = list[i];
      if (request && requests.length < count) requests.push(request);
    }
  }
  return requests;
}
