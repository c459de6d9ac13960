import { parseArgs } from 'node:util';
import { z } from 'zod';
import { EmailAddressString, UserRole } from '../../lib/crm/contract';
import { TOKEN_CACHE_MS } from '../CrmRepository';
import { openDatabase } from '../db/openDatabase';
import { runMigrations } from '../db/runMigrations';
import { HttpError } from '../HttpError';
import { TeamDirectory } from './TeamDirectory';

export const USER_COMMAND_USAGE = `Usage: npm run crm -- user <command>
  user add <email> --name "<name>" [--role rep|admin]   add a user and print their token (once)
  user list                                              list users, roles and token counts
  user token <email|id> [--label "<label>"]              issue another token (printed once)
  user revoke <email|id>                                 revoke every token of the user
  user role <email|id> <rep|admin>                       change a user's role
The database is the server's (DATABASE_URL or CRM_DATA_DIR). On PGlite, stop the server first:
an embedded database is opened by one process at a time.`;

export interface UserCommandIo {
  out(line: string): void;
  err(line: string): void;
}

/**
 * `npm run crm -- user ...`: the team's users and tokens, managed by an admin on the server's
 * machine (the API has no user management, so no token can mint another). Exit code 0 on
 * success, 1 when refused (unknown user, duplicate), 2 on a usage error.
 */
export async function runUserCommand(
  args: string[],
  location: { databaseUrl?: string; dataDir?: string },
  io: UserCommandIo,
): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n\n${USER_COMMAND_USAGE}`);
    return 2;
  }
  const db = await openDatabase(location);
  try {
    await db.exclusively((sql) => runMigrations(sql));
    const team = new TeamDirectory(db);
    const known = async (who: string) => {
      const user = await team.find(who);
      if (!user) throw new HttpError(404, 'not_found', `no user ${who} (see \`npm run crm -- user list\`)`);
      return user;
    };
    switch (parsed.command) {
      case 'add': {
        const { user, token } = await team.add(parsed);
        io.out(`added ${user.name} <${user.email}> as ${user.role} (${user.id})`);
        io.out(`token (shown once, give it to ${user.name} for the extension's CRM settings):`);
        io.out(token);
        return 0;
      }
      case 'list': {
        const users = await team.list();
        io.out(['id', 'role', 'tokens', 'email', 'name'].join('\t'));
        for (const u of users) io.out([u.id, u.role, String(u.tokens), u.email, u.name].join('\t'));
        return 0;
      }
      case 'token': {
        const user = await known(parsed.who);
        const token = await team.issueToken(user.id, parsed.label ?? null);
        io.out(`new token for ${user.name} <${user.email}> (shown once):`);
        io.out(token);
        return 0;
      }
      case 'revoke': {
        const user = await known(parsed.who);
        const count = await team.revoke(user.id);
        io.out(
          `revoked ${count} token${count === 1 ? '' : 's'} of ${user.name} <${user.email}>; a running server refuses them within ${TOKEN_CACHE_MS / 1000} s`,
        );
        return 0;
      }
      case 'role': {
        const user = await known(parsed.who);
        await team.setRole(user.id, parsed.role);
        io.out(`${user.name} <${user.email}> is now ${parsed.role}`);
        return 0;
      }
    }
  } catch (error) {
    if (error instanceof HttpError) {
      io.err(error.message);
      return 1;
    }
    throw error;
  } finally {
    await db.close();
  }
}

/** The value, or an Error worded with the schema's first issue (a usage error). */
function valid<S extends z.ZodType>(schema: S, value: unknown, message: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new Error(`${message}: ${result.error.issues[0]?.message ?? 'invalid'}`);
  return result.data;
}

const Name = z.string().trim().min(1, 'a name is required (--name "First Last")').max(500);

function parse(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { name: { type: 'string' }, role: { type: 'string' }, label: { type: 'string' } },
  });
  const [command, ...rest] = positionals;
  const one = (what: string) => {
    if (rest.length !== 1 || !rest[0]) throw new Error(`user ${command} takes one ${what}`);
    return rest[0];
  };
  switch (command) {
    case 'add':
      return {
        command,
        email: valid(EmailAddressString, one('email address'), 'not an email address'),
        name: valid(Name, values.name ?? '', '--name'),
        role: valid(UserRole, values.role ?? 'rep', '--role is rep or admin'),
      } as const;
    case 'list':
      if (rest.length > 0) throw new Error('user list takes no arguments');
      return { command } as const;
    case 'token':
      return { command, who: one('user (email or id)'), label: values.label } as const;
    case 'revoke':
      return { command, who: one('user (email or id)') } as const;
    case 'role': {
      const [who, role] = rest;
      if (!who || !role || rest.length !== 2) throw new Error('user role takes a user and a role');
      return {
        command,
        who,
        role: valid(UserRole, role, 'the role is rep or admin'),
      } as const;
    }
    default:
      throw new Error(command ? `unknown command: user ${command}` : 'which user command?');
  }
}
