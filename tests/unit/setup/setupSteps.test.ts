import { describe, expect, it } from 'vitest';
import { CrmConnection, Settings, type SettingsInput } from '../../../lib/settings/Settings';
import { formatOptionsRoute, OptionsRouteHash, parseOptionsRoute } from '../../../lib/setup/optionsRoute';
import {
  crmChoices,
  firstOpenStep,
  missingSetupSteps,
  recordStep,
  setupSteps,
} from '../../../lib/setup/setupSteps';

const connected: SettingsInput['crm'] = { type: 'rest', baseUrl: 'https://crm.acme.test', token: 'tok' };
const facts = (input: SettingsInput, mailboxCount: number | null = 0) => ({
  settings: Settings.parse(input),
  mailboxCount,
});

describe('setup steps', () => {
  it('starts with every step open and the connection required', () => {
    const steps = setupSteps(facts({}));
    expect(steps.map((s) => [s.id, s.state, s.required])).toEqual([
      ['crm', 'open', false],
      ['connect', 'open', true],
      ['mailbox', 'open', false],
      ['privacy', 'open', false],
      ['done', 'open', false],
    ]);
    expect(firstOpenStep(facts({}))).toBe('crm');
  });

  it('counts a saved connection as the CRM choice and the connection, whoever made it', () => {
    const steps = setupSteps(facts({ crm: connected }));
    expect(steps.filter((s) => s.state === 'done').map((s) => s.id)).toEqual(['crm', 'connect']);
    expect(firstOpenStep(facts({ crm: connected }))).toBe('mailbox');
  });

  it('keeps a skipped step open (and listed) but resumes after it', () => {
    const input = {
      crm: connected,
      setup: { confirmed: [], skipped: ['mailbox' as const], finishedAt: null },
    };
    const mailbox = setupSteps(facts(input)).find((s) => s.id === 'mailbox')!;
    expect(mailbox).toMatchObject({ state: 'open', skipped: true });
    expect(firstOpenStep(facts(input))).toBe('privacy');
    expect(missingSetupSteps(facts(input)).map((s) => s.id)).toEqual(['mailbox', 'privacy']);
  });

  it('marks the mailbox step done as soon as a mailbox is connected, even if it was skipped', () => {
    const input = { setup: { confirmed: [], skipped: ['mailbox' as const], finishedAt: null } };
    expect(setupSteps(facts(input, 1)).find((s) => s.id === 'mailbox')).toMatchObject({
      state: 'done',
      skipped: false,
    });
  });

  it('lists the required step first in what is missing, and never the summary', () => {
    const missing = missingSetupSteps(
      facts({ setup: { confirmed: ['crm'], skipped: [], finishedAt: null } }),
    );
    expect(missing.map((s) => s.id)).toEqual(['connect', 'mailbox', 'privacy']);
  });

  it('records confirm and skip once per step, and finishing once', () => {
    const now = new Date('2026-01-02T03:04:05Z');
    let progress = Settings.parse({}).setup;
    progress = recordStep(progress, 'mailbox', 'skipped', now);
    progress = recordStep(progress, 'mailbox', 'confirmed', now);
    progress = recordStep(progress, 'mailbox', 'confirmed', now);
    expect(progress).toEqual({ confirmed: ['mailbox'], skipped: [], finishedAt: null });
    progress = recordStep(progress, 'done', 'confirmed', now);
    expect(progress.finishedAt).toBe('2026-01-02T03:04:05.000Z');
    expect(recordStep(progress, 'done', 'confirmed', new Date('2027-01-01')).finishedAt).toBe(
      '2026-01-02T03:04:05.000Z',
    );
  });

  it('offers only the CRM types the settings schema accepts', () => {
    const choices = crmChoices();
    expect(choices.map((c) => c.type)).toEqual(['rest', 'hubspot', 'salesforce', 'pipedrive']);
    expect(choices.find((c) => c.type === 'rest')?.available).toBe(true);
    for (const choice of choices)
      expect(choice.available).toBe(CrmConnection.safeParse({ type: choice.type }).success);
  });
});

describe('options routes', () => {
  it('round-trips set-up steps and the settings page through the address hash', () => {
    expect(parseOptionsRoute('#setup/connect')).toEqual({ page: 'setup', step: 'connect' });
    expect(parseOptionsRoute('#setup')).toEqual({ page: 'setup', step: null });
    expect(parseOptionsRoute('#setup/nonsense')).toEqual({ page: 'setup', step: null });
    expect(parseOptionsRoute('')).toEqual({ page: 'settings' });
    expect(formatOptionsRoute({ page: 'setup', step: 'privacy' })).toBe('#setup/privacy');
    expect(formatOptionsRoute({ page: 'settings' })).toBe('#settings');
  });

  it('lets only option-page views cross the runtime boundary', () => {
    expect(OptionsRouteHash.safeParse('#setup/mailbox').success).toBe(true);
    expect(OptionsRouteHash.safeParse('#settings').success).toBe(true);
    expect(OptionsRouteHash.safeParse('javascript:alert(1)').success).toBe(false);
    expect(OptionsRouteHash.safeParse('#setup/../../x').success).toBe(false);
  });
});
