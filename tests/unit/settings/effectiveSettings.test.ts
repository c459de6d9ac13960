import { describe, expect, it } from 'vitest';
import { parseManagedPolicy } from '../../../lib/policy/parseManagedPolicy';
import { effectiveSettings } from '../../../lib/settings/effectiveSettings';
import type { OrgSettings } from '../../../lib/settings/OrgSettings';
import { DEFAULT_SETTINGS, Settings, type SettingsInput } from '../../../lib/settings/Settings';
// What `GET /org/settings` answers before an admin saves anything (docs/CRM-CONTRACT.md): no say on any setting.
import { EMPTY_ORG_SETTINGS } from '../../../server/CrmRepository';

const rep = (input: SettingsInput = {}) => Settings.parse(input);
const apply = (
  repSettings: Settings,
  policy: Record<string, unknown> = {},
  org: Partial<OrgSettings> | null = null,
) =>
  effectiveSettings({
    rep: repSettings,
    policy: parseManagedPolicy(policy),
    org: org && { ...EMPTY_ORG_SETTINGS, ...org },
  });

describe('effectiveSettings: one precedence, locked > organisation > rep > policy default > built-in', () => {
  it('built-in default when nobody set anything', () => {
    const result = apply(rep());
    expect(result.settings).toEqual(DEFAULT_SETTINGS);
    expect(result.sources.createContactPolicy).toBe('default');
  });

  it('an unlocked policy is the default until the rep changes the setting', () => {
    const result = apply(rep(), { createContactPolicy: 'automatic' });
    expect(result.settings.createContactPolicy).toBe('automatic');
    expect(result.sources.createContactPolicy).toBe('policy');
  });

  it('the rep’s own choice beats an unlocked policy, even when it equals the built-in default', () => {
    const result = apply(rep({ createContactPolicy: 'ask', customised: ['createContactPolicy'] }), {
      createContactPolicy: 'automatic',
    });
    expect(result.settings.createContactPolicy).toBe('ask');
    expect(result.sources.createContactPolicy).toBe('rep');
  });

  it('the CRM’s organisation settings beat the rep', () => {
    const result = apply(
      rep({ createContactPolicy: 'automatic', customised: ['createContactPolicy'] }),
      { createContactPolicy: 'automatic' },
      { createContactPolicy: 'off' },
    );
    expect(result.settings.createContactPolicy).toBe('off');
    expect(result.sources.createContactPolicy).toBe('organisation');
  });

  it('an organisation with no say in the CRM (null, []) leaves the rep’s choices and sources alone', () => {
    const result = apply(
      rep({
        filterAutomatedMail: false,
        excludedDomains: ['mine.example'],
        customised: ['filterAutomatedMail'],
      }),
      {},
      {},
    );
    expect(result.settings.filterAutomatedMail).toBe(false);
    expect(result.sources.filterAutomatedMail).toBe('rep');
    expect(result.sources.excludedDomains).toBe('rep');
    expect(result.sources.privacyLevel).toBe('default');
    expect(result.settings.excludedDomains).toEqual(['mine.example']);
  });

  it('a locked policy beats the CRM’s organisation settings and the rep', () => {
    const result = apply(
      rep({ filterAutomatedMail: false, customised: ['filterAutomatedMail'] }),
      { filterAutomatedMail: true, lockedSettings: ['filterAutomatedMail'] },
      { filterAutomatedMail: false },
    );
    expect(result.settings.filterAutomatedMail).toBe(true);
    expect(result.sources.filterAutomatedMail).toBe('locked');
  });

  it('merges lists: the rep’s, the CRM’s and the policy’s entries, each once', () => {
    const result = apply(
      rep({ excludedDomains: ['mine.example', 'shared.example'] }),
      { excludedDomains: ['Policy.example', 'shared.example'] },
      { excludedDomains: ['crm.example'] },
    );
    expect(result.settings.excludedDomains).toEqual([
      'mine.example',
      'shared.example',
      'crm.example',
      'policy.example',
    ]);
    // The options page edits only the rep's own entries; the organisation's are listed apart.
    expect(result.editable.excludedDomains).toEqual(['mine.example', 'shared.example']);
    expect(result.organisationEntries.excludedDomains).toEqual([
      'crm.example',
      'policy.example',
      'shared.example',
    ]);
  });

  it('never-log lists are merged the same way', () => {
    const result = apply(
      rep({ neverLogAddresses: ['me@x.example'], neverLogDomains: ['a.example'] }),
      { neverLogAddresses: ['legal@example.com'] },
      { neverLogDomains: ['hr.example.com'] },
    );
    expect(result.settings.neverLogAddresses).toEqual(['me@x.example', 'legal@example.com']);
    expect(result.settings.neverLogDomains).toEqual(['a.example', 'hr.example.com']);
  });

  it('a locked list leaves out the rep’s own entries', () => {
    const result = apply(rep({ neverLogDomains: ['a.example'] }), {
      neverLogDomains: ['b.example'],
      lockedSettings: ['neverLogDomains'],
    });
    expect(result.settings.neverLogDomains).toEqual(['b.example']);
    expect(result.editable.neverLogDomains).toEqual([]);
  });

  it('adds the policy’s keyword rules to the rep’s, with ids of their own', () => {
    const mine = {
      id: 'r1',
      field: 'subject',
      keyword: 'demo',
      action: 'propose_task',
      taskTitle: 'Book',
    } as const;
    const result = apply(rep({ keywordRules: [mine] }), {
      keywordRules: [{ keyword: 'quote', field: 'body', action: 'create_task', taskTitle: 'Send the quote' }],
    });
    expect(result.settings.keywordRules.map((r) => [r.id, r.keyword])).toEqual([
      ['r1', 'demo'],
      ['org-1', 'quote'],
    ]);
    expect(result.editable.keywordRules.map((r) => r.id)).toEqual(['r1']);
  });

  describe('privacy level: an upper bound', () => {
    it('the policy is the default and the most a rep may share', () => {
      expect(apply(rep(), { privacyLevel: 'metadata' }).settings.privacyLevel).toBe('metadata');
      const more = apply(rep({ privacyLevel: 'full_body', customised: ['privacyLevel'] }), {
        privacyLevel: 'snippet',
      });
      expect(more.settings.privacyLevel).toBe('snippet');
      expect(more.sources.privacyLevel).toBe('policy');
    });

    it('the rep may share less than the bound', () => {
      const less = apply(rep({ privacyLevel: 'metadata', customised: ['privacyLevel'] }), {
        privacyLevel: 'full_body',
      });
      expect(less.settings.privacyLevel).toBe('metadata');
      expect(less.sources.privacyLevel).toBe('rep');
    });

    it('the CRM’s bound applies too, the lower one wins', () => {
      const result = apply(rep(), { privacyLevel: 'full_body' }, { privacyUpperBound: 'metadata' });
      expect(result.settings.privacyLevel).toBe('metadata');
      expect(result.sources.privacyLevel).toBe('organisation');
    });

    it('locked, it is exactly the policy’s level', () => {
      const result = apply(rep({ privacyLevel: 'metadata', customised: ['privacyLevel'] }), {
        privacyLevel: 'snippet',
        lockedSettings: ['privacyLevel'],
      });
      expect(result.settings.privacyLevel).toBe('snippet');
      expect(result.sources.privacyLevel).toBe('locked');
    });
  });

  describe('the CRM connection', () => {
    it('a managed CRM keeps the rep’s own token', () => {
      const result = apply(rep({ crm: { type: 'rest', token: 'rep-token' }, customised: ['crm'] }), {
        crmType: 'rest',
        crmBaseUrl: 'https://crm.example.com',
        lockedSettings: ['crmType', 'crmBaseUrl'],
      });
      expect(result.settings.crm).toMatchObject({
        type: 'rest',
        baseUrl: 'https://crm.example.com',
        token: 'rep-token',
      });
      expect(result.sources.crmBaseUrl).toBe('locked');
    });

    it('a locked CRM type never carries another CRM’s address and token over', () => {
      const result = apply(
        rep({ crm: { type: 'hubspot', token: 'pat-hubspot', repEmail: 'a@x.example' }, customised: ['crm'] }),
        { crmType: 'rest', crmBaseUrl: 'https://crm.example.com', lockedSettings: ['crmType'] },
      );
      expect(result.settings.crm).toMatchObject({
        type: 'rest',
        baseUrl: 'https://crm.example.com',
        token: '',
      });
    });

    it('an unlocked CRM type is the default; the rep’s chosen CRM stays, without the policy’s URL', () => {
      const result = apply(
        rep({ crm: { type: 'hubspot', token: 'pat', repEmail: 'a@x.example' }, customised: ['crm'] }),
        { crmType: 'rest', crmBaseUrl: 'https://crm.example.com' },
      );
      expect(result.settings.crm).toMatchObject({ type: 'hubspot', baseUrl: '', token: 'pat' });
      expect(result.sources.crmType).toBe('rep');
    });

    it('a rep’s own URL beats an unlocked URL policy', () => {
      const result = apply(
        rep({ crm: { type: 'rest', baseUrl: 'https://other.example', token: 't' }, customised: ['crm'] }),
        { crmBaseUrl: 'https://crm.example.com' },
      );
      expect(result.settings.crm.baseUrl).toBe('https://other.example');
      expect(result.sources.crmBaseUrl).toBe('rep');
    });

    it('OAuth client ids and the token exchange server fill empty fields, locked ones replace', () => {
      const result = apply(rep({ oauth: { googleClientId: 'rep-google', microsoftClientId: '' } }), {
        googleClientId: 'org-google',
        microsoftClientId: 'org-ms',
        tokenExchangeUrl: 'https://crm.example.com',
        lockedSettings: ['tokenExchangeUrl'],
      });
      expect(result.settings.oauth).toMatchObject({
        googleClientId: 'rep-google',
        microsoftClientId: 'org-ms',
        tokenExchangeUrl: 'https://crm.example.com',
      });
      expect(result.sources).toMatchObject({
        googleClientId: 'rep',
        microsoftClientId: 'policy',
        tokenExchangeUrl: 'locked',
      });
    });
  });

  it('an invalid policy value is not applied; the others are', () => {
    const result = apply(rep(), { syncFrequencyMinutes: 7, autoLogReceived: true });
    expect(result.settings.syncFrequencyMinutes).toBe(15);
    expect(result.settings.autoLogReceived).toBe(true);
  });
});
