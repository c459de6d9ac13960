import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SettingsService } from '../../../lib/background/SettingsService';
import { type CrmSidebarDb, openCrmSidebarDb } from '../../../lib/store/db';

let db: CrmSidebarDb;
let counter = 0;

beforeEach(() => {
  db = openCrmSidebarDb(`settings-policy-${++counter}`);
});
afterEach(async () => {
  db.close();
});

describe('SettingsService with the organisation’s policy', () => {
  it('applies a policy live and tells the subscribers', async () => {
    const settings = new SettingsService(db);
    const seen: string[] = [];
    settings.onChange((s) => seen.push(s.privacyLevel));
    await settings.applyManagedPolicy({ privacyLevel: 'metadata' });
    expect((await settings.getSettings()).privacyLevel).toBe('metadata');
    expect(seen).toEqual(['metadata']);
    // The same policy again is no change.
    await settings.applyManagedPolicy({ privacyLevel: 'metadata' });
    expect(seen).toEqual(['metadata']);
  });

  it('refuses a change to a locked value with the reason, and saves the rest of the rep’s choices', async () => {
    const settings = new SettingsService(db);
    await settings.applyManagedPolicy({ autoLogSent: false, lockedSettings: ['autoLogSent'] });
    await expect(settings.updateSettings({ autoLogSent: true })).rejects.toMatchObject({
      kind: 'invalid_settings',
      message: expect.stringContaining('Set by your organisation: autoLogSent'),
    });
    // Repeating the locked value is no change and is accepted.
    await settings.updateSettings({ autoLogSent: false, autoLogReceived: true });
    const now = await settings.getSettings();
    expect(now).toMatchObject({ autoLogSent: false, autoLogReceived: true });
    expect(now.customised).toEqual(['autoLogSent', 'autoLogReceived']);
  });

  it('an unlocked policy applies until the rep changes the setting, and the rep’s choice survives a new policy', async () => {
    const settings = new SettingsService(db);
    await settings.applyManagedPolicy({ syncFrequencyMinutes: 60 });
    expect((await settings.getSettings()).syncFrequencyMinutes).toBe(60);
    await settings.updateSettings({ syncFrequencyMinutes: 5 });
    await settings.applyManagedPolicy({ syncFrequencyMinutes: 15 });
    expect((await settings.getSettings()).syncFrequencyMinutes).toBe(5);
  });

  it('records each ignored policy value once in the event log and keeps the valid ones', async () => {
    const settings = new SettingsService(db);
    await settings.applyManagedPolicy({ crmBaseUrl: 'ftp://crm.example.com', createContactPolicy: 'off' });
    await settings.applyManagedPolicy({
      crmBaseUrl: 'ftp://crm.example.com',
      createContactPolicy: 'off',
      organisationName: 'Example Ltd',
    });
    const events = await db.events.where('kind').equals('policy.ignored').toArray();
    expect(events.map((e) => e.message)).toEqual([
      'Policy “crmBaseUrl” was ignored: Enter the CRM’s full address, such as https://crm.example.com. Accepted: an https:// URL (http:// only for localhost and 127.0.0.1), without a user name or password.',
    ]);
    const view = await settings.policyView();
    expect(view.organisationName).toBe('Example Ltd');
    expect(view.ignored.map((i) => i.policy)).toEqual(['crmBaseUrl']);
    expect((await settings.getSettings()).createContactPolicy).toBe('off');
  });

  it('the options page edits the rep’s own list; the organisation’s entries are listed apart', async () => {
    const settings = new SettingsService(db);
    await settings.updateSettings({ neverLogDomains: ['mine.example'] });
    await settings.applyManagedPolicy({ neverLogDomains: ['hr.example.com'] });
    expect((await settings.getSettings()).neverLogDomains).toEqual(['mine.example', 'hr.example.com']);
    expect((await settings.editableSettings()).neverLogDomains).toEqual(['mine.example']);
    expect((await settings.policyView()).organisationEntries.neverLogDomains).toEqual(['hr.example.com']);
  });
});
