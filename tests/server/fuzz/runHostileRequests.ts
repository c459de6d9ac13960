import type { z } from 'zod';
import {
  ActivitiesByExternalIdResponse,
  ActivityPage,
  Contact,
  ContactDetail,
  ErrorBody,
  LogActivitiesResponse,
  LoggedMessagesResponse,
  LookupResponse,
  MeResponse,
  OrgSettingsResponse,
  TaskResponse,
} from '../../../lib/crm/contract';
import type { HostileRequest } from './hostileRequests';

/** The documented success bodies (server/openapi.json), per operation. */
const SUCCESS_BODIES: Record<string, z.ZodType> = {
  'GET /api/v1/me': MeResponse,
  'POST /api/v1/lookup': LookupResponse,
  'GET /api/v1/contacts/{id}': ContactDetail,
  'POST /api/v1/contacts': Contact,
  'GET /api/v1/contacts/{id}/activities': ActivityPage,
  'POST /api/v1/activities': LogActivitiesResponse,
  'GET /api/v1/activities': ActivitiesByExternalIdResponse,
  'POST /api/v1/activities/logged': LoggedMessagesResponse,
  'POST /api/v1/tasks': TaskResponse,
  'GET /api/v1/org/settings': OrgSettingsResponse,
  'PUT /api/v1/org/settings': OrgSettingsResponse,
};

export interface FuzzFailure {
  request: Pick<HostileRequest, 'operation' | 'category' | 'method'> & { path: string; body?: string };
  status: number | null;
  problem: string;
  response?: string;
}

export interface FuzzFigures {
  requests: number;
  byStatus: Record<string, number>;
  byCategory: Record<string, number>;
  byOperation: Record<string, number>;
  serverErrors: number;
  undocumentedBodies: number;
  noAnswer: number;
  failures: FuzzFailure[];
  durationMs: number;
}

const clip = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);

/**
 * Sends every request (a few at a time) and checks each answer: no 5xx, an error body in
 * the documented `{error: {code, message}}` shape, a success body in the documented shape.
 */
export async function runHostileRequests(
  baseUrl: string,
  requests: readonly HostileRequest[],
  { concurrency = 4, onProgress }: { concurrency?: number; onProgress?: (done: number) => void } = {},
): Promise<FuzzFigures> {
  const figures: FuzzFigures = {
    requests: 0,
    byStatus: {},
    byCategory: {},
    byOperation: {},
    serverErrors: 0,
    undocumentedBodies: 0,
    noAnswer: 0,
    failures: [],
    durationMs: 0,
  };
  const started = performance.now();
  const bump = (record: Record<string, number>, key: string) => {
    record[key] = (record[key] ?? 0) + 1;
  };
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const request = requests[next++]!;
      const described = {
        operation: request.operation,
        category: request.category,
        method: request.method,
        path: clip(request.path),
        ...(typeof request.body === 'string' ? { body: clip(request.body) } : {}),
      };
      let status: number | null = null;
      let text = '';
      try {
        const response = await fetch(`${baseUrl}${request.path}`, {
          method: request.method,
          headers: request.headers,
          body: request.body,
          signal: AbortSignal.timeout(20_000),
        });
        status = response.status;
        text = await response.text();
      } catch (error) {
        figures.noAnswer++;
        figures.failures.push({ request: described, status, problem: `no answer: ${String(error)}` });
      }
      figures.requests++;
      bump(figures.byCategory, request.category);
      bump(figures.byOperation, request.operation);
      if (status === null) continue;
      bump(figures.byStatus, String(status));
      const problem = checkAnswer(request, status, text);
      if (status >= 500) figures.serverErrors++;
      if (problem) {
        if (status < 500) figures.undocumentedBodies++;
        figures.failures.push({ request: described, status, problem, response: clip(text) });
      }
      if (figures.requests % 500 === 0) onProgress?.(figures.requests);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  figures.durationMs = Math.round(performance.now() - started);
  return figures;
}

function checkAnswer(request: HostileRequest, status: number, text: string): string | null {
  if (status >= 500) return `answered ${status}`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'answer is not JSON';
  }
  if (status >= 400)
    return ErrorBody.safeParse(json).success ? null : 'error body is not {error: {code, message}}';
  const schema = SUCCESS_BODIES[request.operation];
  if (!schema) return `no documented success body for ${request.operation}`;
  if (request.method !== request.operation.split(' ')[0]) return `a ${request.method} was answered ${status}`;
  const parsed = schema.safeParse(json);
  return parsed.success
    ? null
    : `success body does not match the contract: ${parsed.error.message.slice(0, 300)}`;
}
