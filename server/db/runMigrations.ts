import type { Sql } from './openDatabase';

interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Append-only: a released migration is never edited, a change is a new version.
 * Plain SQL that both PGlite (Postgres 17) and Postgres 13+ accept.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE settings (
  key text PRIMARY KEY,
  value text NOT NULL
);

CREATE TABLE org (
  id int PRIMARY KEY CHECK (id = 1),
  name text NOT NULL,
  domains text[] NOT NULL
);

CREATE TABLE users (
  id text PRIMARY KEY,
  name text NOT NULL,
  email text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Only a SHA-256 of each token is stored: a copy of the database grants no access.
CREATE TABLE api_tokens (
  token_hash text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE companies (
  id text PRIMARY KEY,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE company_domains (
  domain text PRIMARY KEY CHECK (domain = lower(domain)),
  company_id text NOT NULL REFERENCES companies(id) ON DELETE CASCADE
);
CREATE INDEX company_domains_company ON company_domains (company_id);

CREATE TABLE contacts (
  id text PRIMARY KEY,
  name text NOT NULL,
  title text,
  phone text,
  company_id text REFERENCES companies(id),
  owner_name text,
  lifecycle_stage text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contacts_company ON contacts (company_id);

-- One row per address: the primary key is the lookup index and makes an address
-- belong to one contact at most. Stored lower-cased, so no lower() at query time.
CREATE TABLE contact_emails (
  email text PRIMARY KEY CHECK (email = lower(email)),
  contact_id text NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  position int NOT NULL,
  UNIQUE (contact_id, position)
);

CREATE TABLE deals (
  id text PRIMARY KEY,
  name text NOT NULL,
  stage text NOT NULL,
  is_open boolean NOT NULL,
  amount double precision,
  currency text,
  close_date date,
  company_id text REFERENCES companies(id),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE deal_contacts (
  deal_id text NOT NULL REFERENCES deals(id) ON DELETE CASCADE,
  contact_id text NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  PRIMARY KEY (deal_id, contact_id)
);
CREATE INDEX deal_contacts_contact ON deal_contacts (contact_id);

CREATE TABLE activities (
  id text PRIMARY KEY,
  external_id text NOT NULL,
  contact_id text NOT NULL REFERENCES contacts(id),
  company_id text,
  deal_id text,
  direction text NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
  subject text NOT NULL,
  snippet text NOT NULL,
  body text,
  occurred_at timestamptz NOT NULL,
  from_party jsonb NOT NULL,
  to_parties jsonb NOT NULL,
  cc_parties jsonb NOT NULL,
  has_attachments boolean NOT NULL,
  thread_id text,
  source text NOT NULL,
  logged_by text NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- The idempotency key of the contract; also serves lookups by Message-ID.
  CONSTRAINT activities_external_contact UNIQUE (external_id, contact_id)
);
-- Newest-first pages per contact, keyset on (occurred_at, id).
CREATE INDEX activities_contact_timeline ON activities (contact_id, occurred_at DESC, id DESC);

CREATE TABLE tasks (
  id text PRIMARY KEY,
  contact_id text NOT NULL REFERENCES contacts(id),
  title text NOT NULL,
  notes text,
  due_at timestamptz,
  priority text NOT NULL CHECK (priority IN ('low', 'normal', 'high')),
  source_external_id text,
  created_by text NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- NULLs are distinct: a task without a source email is never deduplicated.
  CONSTRAINT tasks_source_contact_title UNIQUE (source_external_id, contact_id, title)
);
CREATE INDEX tasks_contact ON tasks (contact_id);
`,
  },
  {
    version: 2,
    name: 'roles, token labels, organisation settings',
    sql: `
-- An admin changes the organisation's settings and anyone's activities; a rep their own.
ALTER TABLE users ADD COLUMN role text NOT NULL DEFAULT 'rep' CHECK (role IN ('admin', 'rep'));
-- The first user of every server so far is the demo user, who set it up.
UPDATE users SET role = 'admin' WHERE id = 'usr_demo';
CREATE UNIQUE INDEX users_email ON users (lower(email));

ALTER TABLE api_tokens ADD COLUMN label text;
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE org_settings (
  id int PRIMARY KEY CHECK (id = 1),
  settings jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text REFERENCES users(id)
);
`,
  },
];

/** Applies every migration newer than the database, each in its own transaction. */
export async function runMigrations(sql: Sql & { exec(text: string): Promise<void> }): Promise<number[]> {
  await sql.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version int PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const { rows } = await sql.query<{ version: number }>('SELECT version FROM schema_migrations');
  const applied = new Set(rows.map((r) => Number(r.version)));
  const newlyApplied: number[] = [];
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    await sql.exec('BEGIN');
    try {
      await sql.exec(migration.sql);
      await sql.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      await sql.exec('COMMIT');
    } catch (error) {
      await sql.exec('ROLLBACK');
      throw error;
    }
    newlyApplied.push(migration.version);
  }
  return newlyApplied;
}
