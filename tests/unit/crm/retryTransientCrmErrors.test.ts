import { describe, expect, it } from 'vitest';
import { CrmError } from '../../../lib/crm/CrmError';
import { retryTransientCrmErrors } from '../../../lib/crm/retryTransientCrmErrors';

describe('retryTransientCrmErrors', () => {
  it('retries 5xx, 429 and network errors, honouring Retry-After, until the work succeeds', async () => {
    const failures = [
      new CrmError('server', 'bad gateway', { status: 502 }),
      new CrmError('rate_limited', 'slow down', { status: 429, retryAfterMs: 30 }),
      new CrmError('network', 'reset'),
    ];
    let calls = 0;
    const started = Date.now();
    const result = await retryTransientCrmErrors(
      async () => {
        const failure = failures[calls++];
        if (failure) throw failure;
        return 'ok';
      },
      { baseDelayMs: 1, maxDelayMs: 100 },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(4);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('does not retry what cannot succeed later, and gives up after the attempt budget', async () => {
    let calls = 0;
    await expect(
      retryTransientCrmErrors(async () => {
        calls++;
        throw new CrmError('auth', 'token rejected', { status: 401 });
      }),
    ).rejects.toMatchObject({ kind: 'auth' });
    expect(calls).toBe(1);

    calls = 0;
    await expect(
      retryTransientCrmErrors(
        async () => {
          calls++;
          throw new CrmError('server', 'down', { status: 503 });
        },
        { attempts: 3, baseDelayMs: 1 },
      ),
    ).rejects.toMatchObject({ kind: 'server' });
    expect(calls).toBe(3);
  });
});
