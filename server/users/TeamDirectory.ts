import { type UserRole, UserRole as UserRoleSchema } from '../../lib/crm/contract';
import type { Database } from '../db/openDatabase';
import { HttpError } from '../HttpError';
import { generateToken, hashToken, newId } from '../tokens';

export interface TeamMember {
  id: string;
  name: string;
  email: string;
  role: UserRole;
  tokens: number;
  createdAt: string;
}

/** The setting that keeps the demo user's token in clear for `npm run crm` to print (startCrmServer). */
export const DEMO_TOKEN_SETTING = 'demo_token';

/**
 * The CRM's users and their tokens, as an admin manages them from the command line
 * (`npm run crm -- user ...`, server/users/runUserCommand.ts). A token is shown once, when
 * issued; only its SHA-256 is stored.
 */
export class TeamDirectory {
  constructor(private readonly db: Database) {}

  async add(input: {
    email: string;
    name: string;
    role: UserRole;
  }): Promise<{ user: TeamMember; token: string }> {
    const email = input.email.trim().toLowerCase();
    const existing = await this.find(email);
    if (existing)
      throw new HttpError(409, 'conflict', `${email} is already a user (${existing.id}, ${existing.role})`);
    const id = newId('usr');
    await this.db.query('INSERT INTO users (id, name, email, role) VALUES ($1, $2, $3, $4)', [
      id,
      input.name.trim(),
      email,
      UserRoleSchema.parse(input.role),
    ]);
    const token = await this.issueToken(id, 'issued with the user');
    const user = await this.find(id);
    if (!user) throw new Error('user vanished after insert');
    return { user, token };
  }

  async list(): Promise<TeamMember[]> {
    const { rows } = await this.db.query<MemberRow>(`${MEMBER_SELECT} ORDER BY u.role, lower(u.email)`);
    return rows.map(toMember);
  }

  /** By id or (case-insensitive) email. */
  async find(idOrEmail: string): Promise<TeamMember | null> {
    const { rows } = await this.db.query<MemberRow>(
      `${MEMBER_SELECT} WHERE u.id = $1 OR lower(u.email) = lower($1)`,
      [idOrEmail.trim()],
    );
    return rows[0] ? toMember(rows[0]) : null;
  }

  /** A new token for the user; the caller shows it once. */
  async issueToken(userId: string, label: string | null = null): Promise<string> {
    const token = generateToken();
    await this.db.query('INSERT INTO api_tokens (token_hash, user_id, label) VALUES ($1, $2, $3)', [
      hashToken(token),
      userId,
      label,
    ]);
    return token;
  }

  /** Removes every token of the user; answers how many. Running servers stop accepting them within TOKEN_CACHE_MS. */
  async revoke(userId: string): Promise<number> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ token_hash: string }>(
        'DELETE FROM api_tokens WHERE user_id = $1 RETURNING token_hash',
        [userId],
      );
      // The demo user's token is kept in clear to be printed at start: it goes too, and the
      // next start makes a new one.
      if (userId === 'usr_demo') await tx.query('DELETE FROM settings WHERE key = $1', [DEMO_TOKEN_SETTING]);
      return rows.length;
    });
  }

  async setRole(userId: string, role: UserRole): Promise<void> {
    await this.db.query('UPDATE users SET role = $2 WHERE id = $1', [userId, UserRoleSchema.parse(role)]);
  }
}

interface MemberRow {
  id: string;
  name: string;
  email: string;
  role: UserRole;
  tokens: number | string;
  created_at: Date | string;
}

const MEMBER_SELECT = `
  SELECT u.id, u.name, u.email, u.role, u.created_at,
         (SELECT count(*) FROM api_tokens t WHERE t.user_id = u.id) AS tokens
  FROM users u`;

function toMember(row: MemberRow): TeamMember {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    role: row.role,
    tokens: Number(row.tokens),
    createdAt: new Date(row.created_at).toISOString(),
  };
}
