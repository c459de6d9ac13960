import { describe, expect, it } from 'vitest';
import { retryWithDelays } from '../../../lib/async/retryWithDelays';

describe('retryWithDelays', () => {
  it("waits the caller's delay between attempts and returns the first success", async () => {
    const waits: number[] = [];
    const seen: number[] = [];
    const result = await retryWithDelays(
      async (attempt) => {
        seen.push(attempt);
        if (attempt < 3) throw new Error(`failure ${attempt}`);
        return 'done';
      },
      { attempts: 5, delayBeforeRetry: (_error, n) => n * 100, sleep: async (ms) => void waits.push(ms) },
    );
    expect(result).toBe('done');
    expect(seen).toEqual([1, 2, 3]);
    expect(waits).toEqual([100, 200]);
  });

  it('throws the error unchanged when the caller says it is not worth retrying', async () => {
    const refused = new Error('refused');
    let calls = 0;
    await expect(
      retryWithDelays(
        async () => {
          calls++;
          throw refused;
        },
        { attempts: 5, delayBeforeRetry: () => null, sleep: async () => {} },
      ),
    ).rejects.toBe(refused);
    expect(calls).toBe(1);
  });

  it('throws the last error once the attempts are used up, without a wait after it', async () => {
    const waits: number[] = [];
    let calls = 0;
    await expect(
      retryWithDelays(
        async () => {
          calls++;
          throw new Error(`failure ${calls}`);
        },
        { attempts: 3, delayBeforeRetry: () => 5, sleep: async (ms) => void waits.push(ms) },
      ),
    ).rejects.toThrow('failure 3');
    expect(calls).toBe(3);
    expect(waits).toEqual([5, 5]);
  });
});
