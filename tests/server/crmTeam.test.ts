import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { OrgSettingsResponse } from '../../lib/crm/contract';
import { TOKEN_CACHE_MS } from '../../server/CrmRepository';
import { openDatabase } from '../../server/db/openDatabase';
import { SEED } from '../../server/seed';
import { type CrmServerHandle, type CrmServerOptions, startCrmServer } from '../../server/startCrmServer';
import { hashToken } from '../../server/tokens';
import { runUserCommand } from '../../server/users/runUserCommand';
import { crmTestClient, uniqueEmail } from './crmTestClient';
import { freshPgliteDataDir } from './freshPgliteDataDir';
import { checkEveryResponseAgainstOpenApi } from './openApiResponseCheck';

checkEveryResponseAgainstOpenApi();

/** The reference CRM as a team's server: roles, tokens from the command line, organisation settings. */
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

const databaseUrl = process.env.DATABASE_URL;
const STORAGES: { label: string; skip: boolean; storage: () => Promise<CrmServerOptions> }[] = [
  {
    label: 'PGlite',
    skip: false,
    storage: async () => {
      const dataDir = await freshPgliteDataDir('crm-team');
      dirs.push(dataDir);
      return { dataDir };
    },
  },
  { label: 'Postgres (DATABASE_URL)', skip: !databaseUrl, storage: async () => ({ databaseUrl }) },
];

/** `npm run crm -- user ...` in-process: exit code and what it printed. */
async function userCommand(storage: CrmServerOptions, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runUserCommand(
    args,
    storage.databaseUrl ? { databaseUrl: storage.databaseUrl } : { dataDir: storage.dataDir },
    { out: (line) => out.push(line), err: (line) => err.push(line) },
  );
  return { code, out, err, token: out.find((line) => line.startsWith('crm_')) };
}

const SETTINGS = {
  excludedDomains: ['Partner-Portal.example', 'partner-portal.example', 'bank.example'],
  neverLogAddresses: [' Legal@Northwind-Trading.com '],
  neverLogDomains: ['hr.northwind-trading.com'],
  filterAutomatedMail: true,
  privacyUpperBound: 'snippet',
  createContactPolicy: 'ask',
} as const;

for (const { label, skip, storage } of STORAGES) {
  describe.skipIf(skip)(`the reference CRM as a team's server on ${label}`, () => {
    it('answers each user with their role, and lets only admins change the organisation settings', async () => {
      const options = await storage();
      const crm = await startCrmServer({ ...options, port: 0, quiet: true });
      try {
        const admin = crmTestClient(crm.url, crm.token);
        const rep = crmTestClient(crm.url, SEED.colleague.token);
        expect((await admin('GET', '/me')).json.user.role).toBe('admin');
        expect((await rep('GET', '/me')).json.user.role).toBe('rep');

        const before = await rep('GET', '/org/settings');
        expect(before.status).toBe(200);
        OrgSettingsResponse.parse(before.json);

        const refused = await rep('PUT', '/org/settings', { settings: SETTINGS });
        expect(refused.status).toBe(403);
        expect(refused.json.error.code).toBe('forbidden');
        expect(refused.json.error.message).toContain('only an admin');
        expect(refused.json.error.message).toContain(SEED.colleague.email);

        const saved = await admin('PUT', '/org/settings', { settings: SETTINGS });
        expect(saved.status).toBe(200);
        const expected = {
          excludedDomains: ['partner-portal.example', 'bank.example'],
          neverLogAddresses: ['legal@northwind-trading.com'],
          neverLogDomains: ['hr.northwind-trading.com'],
          filterAutomatedMail: true,
          privacyUpperBound: 'snippet',
          createContactPolicy: 'ask',
        };
        expect(saved.json).toMatchObject({
          settings: expected,
          updatedBy: { id: SEED.demoUser.id, name: SEED.demoUser.name },
        });
        const read = await rep('GET', '/org/settings');
        expect(read.json.settings).toEqual(expected);
        expect(Date.parse(read.json.updatedAt)).toBeGreaterThan(Date.now() - 60_000);

        // The organisation may have no say: null and empty lists.
        const none = {
          excludedDomains: [],
          neverLogAddresses: [],
          neverLogDomains: [],
          filterAutomatedMail: null,
          privacyUpperBound: null,
          createContactPolicy: null,
        };
        expect((await admin('PUT', '/org/settings', { settings: none })).json.settings).toEqual(none);
      } finally {
        await crm.close();
      }
    });

    it('refuses settings that are not whole or not valid with 400 and the paths', async () => {
      const crm = await startCrmServer({ ...(await storage()), port: 0, quiet: true });
      try {
        const admin = crmTestClient(crm.url, crm.token);
        const cases: [unknown, string][] = [
          [{ settings: { ...SETTINGS, privacyUpperBound: 'everything' } }, 'settings.privacyUpperBound'],
          [{ settings: { ...SETTINGS, excludedDomains: ['not a domain'] } }, 'settings.excludedDomains.0'],
          [{ settings: { ...SETTINGS, neverLogAddresses: ['nobody'] } }, 'settings.neverLogAddresses.0'],
          [{ settings: { ...SETTINGS, createContactPolicy: undefined } }, 'settings.createContactPolicy'],
          [{ settings: { ...SETTINGS, autoLogEverything: true } }, 'settings'],
          [
            {
              settings: {
                ...SETTINGS,
                neverLogDomains: Array.from({ length: 1_001 }, (_, i) => `d${i}.example`),
              },
            },
            'settings.neverLogDomains',
          ],
        ];
        for (const [body, path] of cases) {
          const res = await admin('PUT', '/org/settings', body);
          expect({ path, status: res.status }).toEqual({ path, status: 400 });
          expect(res.json.error.details.map((d: { path: string[] }) => d.path.join('.'))).toContain(path);
        }
      } finally {
        await crm.close();
      }
    });

    it('adds users with a token printed once and stored hashed, changes roles and revokes tokens from the command line', async () => {
      const options = await storage();
      // Migrate and seed once; an embedded database is then opened by one process at a time.
      await (await startCrmServer({ ...options, port: 0, quiet: true })).close();
      const email = uniqueEmail('new.rep');

      const added = await userCommand(options, 'add', email, '--name', 'Riley Rep');
      expect(added.code).toBe(0);
      expect(added.token).toMatch(/^crm_[A-Za-z0-9_-]{43}$/);
      expect((await userCommand(options, 'add', email.toUpperCase(), '--name', 'Again')).code).toBe(1);
      expect((await userCommand(options, 'add', 'not-an-email', '--name', 'X')).code).toBe(2);
      expect((await userCommand(options, 'frobnicate')).code).toBe(2);

      const listed = await userCommand(options, 'list');
      const row = listed.out.find((line) => line.includes(email));
      expect(row?.split('\t').slice(1)).toEqual(['rep', '1', email, 'Riley Rep']);
      // Only the hash is stored: the printed token appears nowhere in the database.
      const db = await openDatabase(options);
      try {
        const { rows } = await db.query<{ token_hash: string }>(
          `SELECT t.token_hash FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = $1`,
          [email],
        );
        expect(rows.map((r) => r.token_hash)).toEqual([hashToken(added.token ?? '')]);
      } finally {
        await db.close();
      }
      const second = await userCommand(options, 'token', email, '--label', 'laptop');
      expect(second.token).not.toBe(added.token);

      let crm: CrmServerHandle = await startCrmServer({ ...options, port: 0, quiet: true });
      try {
        const rep = crmTestClient(crm.url, added.token ?? '');
        expect((await rep('GET', '/me')).json.user).toMatchObject({ email, name: 'Riley Rep', role: 'rep' });
        expect((await rep('PUT', '/org/settings', { settings: SETTINGS })).status).toBe(403);
        expect((await crmTestClient(crm.url, second.token ?? '')('GET', '/me')).status).toBe(200);
      } finally {
        await crm.close();
      }

      expect((await userCommand(options, 'role', email, 'admin')).code).toBe(0);
      expect((await userCommand(options, 'revoke', 'usr_nobody')).code).toBe(1);
      crm = await startCrmServer({ ...options, port: 0, quiet: true });
      try {
        const promoted = crmTestClient(crm.url, added.token ?? '');
        expect((await promoted('PUT', '/org/settings', { settings: SETTINGS })).status).toBe(200);
        if (options.databaseUrl) {
          // Postgres: the command runs beside the live server, which refuses within TOKEN_CACHE_MS.
          const revoked = await userCommand(options, 'revoke', email);
          expect(revoked.out[0]).toContain('revoked 2 tokens');
          await new Promise((resolve) => setTimeout(resolve, TOKEN_CACHE_MS + 200));
          expect((await promoted('GET', '/me')).status).toBe(401);
        }
      } finally {
        await crm.close();
      }
      if (!options.databaseUrl) {
        const revoked = await userCommand(options, 'revoke', email);
        expect(revoked.out[0]).toContain('revoked 2 tokens');
        crm = await startCrmServer({ ...options, port: 0, quiet: true });
        try {
          expect((await crmTestClient(crm.url, added.token ?? '')('GET', '/me')).status).toBe(401);
          expect((await crmTestClient(crm.url, second.token ?? '')('GET', '/me')).status).toBe(401);
        } finally {
          await crm.close();
        }
      }
    }, 120_000);
  });
}
