import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OAuthExchangeConfig } from '../../../server/oauth/OAuthExchangeConfig';
import { type CrmServerHandle, startCrmServer } from '../../../server/startCrmServer';

export interface ReferenceCrm {
  handle: CrmServerHandle;
  dataDir: string;
  /** Stops the server, keeping its data (to simulate the CRM being down). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  restart(): Promise<void>;
  api<T = unknown>(path: string, init?: RequestInit): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

export interface ReferenceCrmOptions {
  /** Receives the server's request log (one JSON line per request); unset, the server is quiet. */
  log?: (line: string) => void;
  /** The server's token exchange (`/oauth/{provider}/token`); off without. */
  oauthExchange?: OAuthExchangeConfig;
  /**
   * Host names the browser reaches the CRM by, when a test maps one to it (host resolver
   * rules): the server answers other names than loopback and IP literals with 421.
   */
  allowedHosts?: readonly string[];
}

/** The reference CRM on a throwaway PGlite folder, seeded with the demo data. */
export async function startReferenceCrm(options: ReferenceCrmOptions = {}): Promise<ReferenceCrm> {
  const dataDir = await mkdtemp(join(tmpdir(), 'crm-e2e-'));
  const logging = {
    ...(options.log ? { quiet: false, log: options.log } : { quiet: true }),
    oauthExchange: options.oauthExchange ?? null,
    allowedHosts: options.allowedHosts,
  };
  let handle = await startCrmServer({ port: 0, dataDir, ...logging });
  const port = handle.port;
  let running = true;
  const crm: ReferenceCrm = {
    get handle() {
      return handle;
    },
    dataDir,
    async stop() {
      if (!running) return;
      await handle.close();
      running = false;
    },
    async restart() {
      if (running) return;
      handle = await startCrmServer({ port, dataDir, ...logging, seedToken: handle.token });
      running = true;
    },
    async api<T>(path: string, init: RequestInit = {}) {
      const res = await fetch(`${handle.url}/api/v1${path}`, {
        ...init,
        headers: {
          authorization: `Bearer ${handle.token}`,
          'content-type': 'application/json',
          ...init.headers,
        },
      });
      return { status: res.status, body: (await res.json()) as T };
    },
    async close() {
      await crm.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return crm;
}

/** The contact ids the CRM holds an activity of `externalId` for, sorted (the CRM's own API). */
export async function loggedContactIds(crm: ReferenceCrm, externalId: string): Promise<string[]> {
  const { status, body } = await crm.api<{ activities: { contactId: string }[] }>(
    `/activities?externalId=${encodeURIComponent(externalId)}`,
  );
  if (status !== 200) throw new Error(`GET /activities?externalId=${externalId} answered ${status}`);
  return body.activities.map((a) => a.contactId).sort();
}

/** A message a test sent, and the contacts it must be logged to, once each. */
export interface ExpectedLog {
  key: string;
  externalId: string;
  expect: readonly string[];
}

/**
 * Per message (by key), the contacts the CRM logged it to and the contacts it should have:
 * the two are equal exactly when every (message, contact) was logged once and nothing else.
 */
export async function loggedVersusExpected(
  crm: ReferenceCrm,
  sent: readonly ExpectedLog[],
): Promise<{ logged: Record<string, string[]>; expected: Record<string, string[]> }> {
  const logged: Record<string, string[]> = {};
  const expected: Record<string, string[]> = {};
  for (const message of sent) {
    logged[message.key] = await loggedContactIds(crm, message.externalId);
    expected[message.key] = [...message.expect].sort();
  }
  return { logged, expected };
}
