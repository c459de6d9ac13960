import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/** The part of a connection that runs statements: the whole database or one transaction. */
export interface Sql {
  query<Row>(text: string, params?: readonly unknown[]): Promise<{ rows: Row[] }>;
}

/**
 * PGlite and node-postgres behind one small surface, so the repository and the
 * migrations are written once and run on both.
 */
export interface Database extends Sql {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `work` in one transaction on one connection; rolls back when it throws. */
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
  /**
   * Runs `work` on one connection while holding a database-wide lock, so several
   * servers starting against the same Postgres migrate and seed one at a time.
   */
  exclusively<T>(work: (sql: Sql & { exec(text: string): Promise<void> }) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DatabaseLocation {
  /** PGlite data folder; created when missing. */
  dataDir?: string;
  /** A Postgres connection string; wins over `dataDir`. */
  databaseUrl?: string;
  /**
   * Postgres connections the pool keeps at most (default 10). More than the database's cores
   * only queues work inside Postgres instead of here; see server/README.md, "How many reps".
   */
  poolMax?: number;
}

export async function openDatabase(location: DatabaseLocation): Promise<Database> {
  if (location.databaseUrl) return openPostgres(location.databaseUrl, location.poolMax ?? 10);
  if (!location.dataDir) throw new Error('openDatabase needs a dataDir or a databaseUrl');
  return openPglite(location.dataDir);
}

async function openPglite(dataDir: string): Promise<Database> {
  mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const query = async <Row>(text: string, params?: readonly unknown[]) => {
    const result = await db.query<Row>(text, params ? [...params] : undefined);
    return { rows: result.rows };
  };
  return {
    kind: 'pglite',
    query,
    transaction: (work) =>
      db.transaction((tx) =>
        work({
          query: async <Row>(text: string, params?: readonly unknown[]) => {
            const result = await tx.query<Row>(text, params ? [...params] : undefined);
            return { rows: result.rows };
          },
        }),
      ),
    // One embedded instance belongs to one process: there is nobody to lock out.
    exclusively: (work) =>
      work({
        query,
        exec: async (text) => {
          await db.exec(text);
        },
      }),
    close: () => db.close(),
  };
}

const ADVISORY_LOCK_KEY = 8_787_001;

async function openPostgres(connectionString: string, max: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString, max });
  // Fail at start, not at the first request, when the URL is wrong.
  await pool.query('SELECT 1');
  const onClient = (client: pg.PoolClient): Sql => ({
    query: async <Row>(text: string, params?: readonly unknown[]) => {
      const result = await client.query(text, params ? [...params] : undefined);
      return { rows: result.rows as Row[] };
    },
  });
  return {
    kind: 'postgres',
    query: async <Row>(text: string, params?: readonly unknown[]) => {
      const result = await pool.query(text, params ? [...params] : undefined);
      return { rows: result.rows as Row[] };
    },
    transaction: async (work) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const value = await work(onClient(client));
        await client.query('COMMIT');
        return value;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    exclusively: async (work) => {
      const client = await pool.connect();
      try {
        await client.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK_KEY]);
        return await work({
          ...onClient(client),
          exec: async (text) => {
            await client.query(text);
          },
        });
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK_KEY]).catch(() => undefined);
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** The SQLSTATE of a database error, from either driver. */
export function sqlState(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}

export const UNIQUE_VIOLATION = '23505';
