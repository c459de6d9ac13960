import { z } from 'zod';
import type { CrmRecordRef } from '../../CrmCapabilities';
import { CrmError } from '../../CrmError';
import { memoOnce } from '../../connectorKit/memoOnce';
import type { MeResponse } from '../../contract';
import type { PipedriveHttp } from './pipedriveHttp';
import { type PipedriveAccount, pipedriveRecordUrl } from './pipedriveMapping';
import { PipedriveCurrentUser, PipedriveStage, PipedriveUser } from './pipedriveSchemas';

/**
 * What the connector knows about the token's company: its user (GET /v1/users/me, with
 * the company's name and domain), user names (GET /v1/users) and deal stage names
 * (GET /api/v2/stages), each read once per connector.
 */
export function createPipedriveAccount(http: PipedriveHttp) {
  let current: PipedriveCurrentUser | null = null;
  const user = memoOnce(async () => {
    current = await http.get('/v1/users/me', PipedriveCurrentUser);
    return current;
  });
  const users = memoOnce(async () => {
    const list = await http.get('/v1/users', z.array(PipedriveUser).nullable());
    return new Map((list ?? []).map((u) => [u.id, u.name]));
  });
  const stages = memoOnce(async () => {
    const list = await http.all('/api/v2/stages', {}, PipedriveStage);
    return new Map(list.map((s) => [s.id, s.name]));
  });

  const me = memoOnce(async (): Promise<MeResponse> => {
    const u = await user();
    const email = u.email.trim().toLowerCase();
    const domain = email.split('@')[1];
    if (!domain)
      throw new CrmError('invalid_response', 'Pipedrive returned a user without an email address.');
    return {
      user: { id: String(u.id), name: u.name || email, email },
      org: { name: u.company_name || 'Pipedrive', domains: [domain] },
    };
  });

  /** Everything mapping needs, once the user and user names are known. */
  async function mapping(): Promise<PipedriveAccount> {
    const [, names] = await Promise.all([user(), users()]);
    return {
      recordUrl,
      userName: (id) => (id ? (names.get(id) ?? undefined) : undefined),
    };
  }

  function recordUrl(record: CrmRecordRef): string | null {
    return pipedriveRecordUrl(current?.company_domain, record);
  }

  async function stageName(): Promise<(id: number | null | undefined) => string> {
    const names = await stages();
    return (id) => (id ? (names.get(id) ?? `Stage ${id}`) : '');
  }

  return { me, user, mapping, recordUrl, stageName };
}

export type PipedriveAccountReader = ReturnType<typeof createPipedriveAccount>;
