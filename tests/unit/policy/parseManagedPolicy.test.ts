import { describe, expect, it } from 'vitest';
import { parseManagedPolicy } from '../../../lib/policy/parseManagedPolicy';

describe('parseManagedPolicy', () => {
  it('keeps valid values, locks the listed ones and names the organisation', () => {
    const policy = parseManagedPolicy({
      organisationName: 'Example Ltd',
      crmBaseUrl: 'https://crm.example.com',
      privacyLevel: 'metadata',
      lockedSettings: ['crmBaseUrl'],
    });
    expect(policy.organisationName).toBe('Example Ltd');
    expect(policy.values).toEqual({ crmBaseUrl: 'https://crm.example.com', privacyLevel: 'metadata' });
    expect([...policy.locked]).toEqual(['crmBaseUrl']);
    expect(policy.ignored).toEqual([]);
  });

  it('ignores each invalid value with the reason, and never throws', () => {
    const policy = parseManagedPolicy({
      crmBaseUrl: 'http://crm.example.com',
      privacyLevel: 'everything',
      syncFrequencyMinutes: '15',
      autoLogSent: false,
      crmColour: 'blue',
      lockedSettings: ['privacyLevel', 'nothing'],
    });
    expect(policy.values).toEqual({ autoLogSent: false });
    expect(policy.locked.size).toBe(0);
    const reasons = Object.fromEntries(policy.ignored.map((i) => [i.policy, i.reason]));
    expect(reasons.crmBaseUrl).toMatch(/Use https:\/\//);
    expect(reasons.privacyLevel).toMatch(/Accepted: "metadata" \(who and when\)/);
    expect(reasons.syncFrequencyMinutes).toMatch(/Accepted: 5, 15 or 60/);
    expect(reasons.crmColour).toMatch(/no such policy/);
    expect(reasons['lockedSettings: nothing']).toMatch(/no such policy/);
  });

  it('refuses a policy that is not an object as a whole', () => {
    expect(parseManagedPolicy(['x']).ignored).toEqual([
      { policy: '(all)', reason: 'The policy is not a JSON object.' },
    ]);
    expect(parseManagedPolicy(undefined).values).toEqual({});
  });
});
