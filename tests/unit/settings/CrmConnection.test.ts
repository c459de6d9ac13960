import { describe, expect, it } from 'vitest';
import { CRM_VENDORS, crmOrigins, crmVendor } from '../../../lib/crm/vendors/crmVendors';
import { CrmConnection, isConnectionComplete, mergeSettings, Settings } from '../../../lib/settings/Settings';
import { openCrmSidebarDb, SETTINGS_KEY } from '../../../lib/store/db';
import { SettingsRepository } from '../../../lib/store/SettingsRepository';

/**
 * The `crm` object as versions before the per-vendor union stored it: one flat object with
 * every vendor's fields, their defaults filled in (the shape `Settings.parse` wrote then).
 */
function flatConnection(overrides: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'rest',
    baseUrl: '',
    token: '',
    repEmail: '',
    hubspotAuth: 'private_app',
    hubspotClientId: '',
    hubspotSignedInAt: null,
    loginUrl: 'https://login.salesforce.com',
    consumerKey: '',
    refreshToken: '',
    accountDomainField: 'Website',
    ...overrides,
  };
}

describe('CrmConnection: one branch per vendor, told apart by type', () => {
  it('reads a flat REST connection saved before the union as the REST branch, other vendors’ fields dropped', () => {
    const crm = CrmConnection.parse(flatConnection({ baseUrl: 'https://crm.example.com', token: 't-1' }));
    expect(crm).toEqual({ type: 'rest', baseUrl: 'https://crm.example.com', token: 't-1' });
    expect(isConnectionComplete(crm)).toBe(true);
    expect(crmOrigins(crm)).toEqual(['https://crm.example.com']);
  });

  it('reads a connection saved before the CRM type existed (no type) as the REST CRM’s', () => {
    const { type: _none, ...untyped } = flatConnection({ baseUrl: 'https://crm.example.com', token: 't-1' });
    expect(CrmConnection.parse(untyped)).toEqual({
      type: 'rest',
      baseUrl: 'https://crm.example.com',
      token: 't-1',
    });
    expect(CrmConnection.parse({})).toEqual({ type: 'rest', baseUrl: '', token: '' });
  });

  it('reads a flat HubSpot OAuth connection with its sign-in kept', () => {
    const crm = CrmConnection.parse(
      flatConnection({
        type: 'hubspot',
        repEmail: 'Rep@Example.com',
        hubspotAuth: 'oauth',
        hubspotClientId: 'client-1',
        hubspotSignedInAt: '2025-03-10T09:00:00.000Z',
      }),
    );
    expect(crm).toEqual({
      type: 'hubspot',
      baseUrl: '',
      token: '',
      repEmail: 'rep@example.com',
      hubspotAuth: 'oauth',
      hubspotClientId: 'client-1',
      hubspotSignedInAt: '2025-03-10T09:00:00.000Z',
    });
    expect(isConnectionComplete(crm)).toBe(true);
    expect(crmOrigins(crm)).toEqual(['https://api.hubapi.com']);
  });

  it('reads a flat Salesforce connection with its refresh token, login host and account field', () => {
    const crm = CrmConnection.parse(
      flatConnection({
        type: 'salesforce',
        baseUrl: 'https://acme.my.salesforce.com',
        refreshToken: 'r-1',
        loginUrl: 'https://test.salesforce.com',
        consumerKey: 'key-1',
        accountDomainField: 'Domain__c',
        // A HubSpot field left over from an earlier choice is not part of the branch.
        repEmail: 'old@example.com',
      }),
    );
    expect(crm).toEqual({
      type: 'salesforce',
      baseUrl: 'https://acme.my.salesforce.com',
      token: '',
      refreshToken: 'r-1',
      loginUrl: 'https://test.salesforce.com',
      consumerKey: 'key-1',
      accountDomainField: 'Domain__c',
    });
    expect(isConnectionComplete(crm)).toBe(true);
    expect(crmOrigins(crm)).toEqual(['https://acme.my.salesforce.com', 'https://test.salesforce.com']);
  });

  it('refuses an unknown type, and a bad field of the chosen vendor, with the field’s path', () => {
    const unknown = CrmConnection.safeParse({ type: 'nope' });
    expect(unknown.success).toBe(false);
    expect(unknown.error?.issues[0]?.path).toEqual(['type']);
    const badUrl = CrmConnection.safeParse({ type: 'rest', baseUrl: 'http://crm.example.com' });
    expect(badUrl.error?.issues[0]?.path).toEqual(['baseUrl']);
    const badField = CrmConnection.safeParse({ type: 'salesforce', accountDomainField: 'not a field' });
    expect(badField.error?.issues[0]?.path).toEqual(['accountDomainField']);
  });

  it('says what each vendor lacks until it is complete', () => {
    expect(
      isConnectionComplete(CrmConnection.parse({ type: 'rest', baseUrl: 'https://crm.example.com' })),
    ).toBe(false);
    expect(isConnectionComplete(CrmConnection.parse({ type: 'hubspot', token: 'pat' }))).toBe(false);
    expect(
      isConnectionComplete(CrmConnection.parse({ type: 'hubspot', token: 'pat', repEmail: 'a@b.c' })),
    ).toBe(true);
    expect(
      isConnectionComplete(CrmConnection.parse({ type: 'hubspot', hubspotAuth: 'oauth', repEmail: 'a@b.c' })),
    ).toBe(false);
    expect(isConnectionComplete(CrmConnection.parse({ type: 'salesforce', consumerKey: 'k' }))).toBe(false);
  });

  it('switching the type through a settings patch keeps none of the previous vendor’s fields', () => {
    const hubspot = Settings.parse({ crm: { type: 'hubspot', token: 'pat', repEmail: 'a@b.c' } });
    const next = mergeSettings(hubspot, { crm: { ...hubspot.crm, type: 'salesforce' } });
    expect(next.crm).toEqual(CrmConnection.parse({ type: 'salesforce', token: 'pat' }));
    expect(next.crm).not.toHaveProperty('repEmail');
  });

  it('every vendor in the table has a complete descriptor whose branch accepts its own type', () => {
    for (const [type, vendor] of Object.entries(CRM_VENDORS)) {
      expect(vendor.type).toBe(type);
      expect(crmVendor(vendor.type)).toBe(vendor);
      expect(CrmConnection.parse({ type }).type).toBe(type);
      expect(vendor.name).not.toBe('');
      expect(vendor.setup.description).not.toBe('');
    }
  });
});

describe('SettingsRepository with settings saved before the per-vendor union', () => {
  it('reads the stored flat HubSpot connection as the HubSpot branch and writes the branch back', async () => {
    const db = openCrmSidebarDb(`crm-connection-test-${process.pid}`);
    await db.settings.put({
      key: SETTINGS_KEY,
      value: {
        crm: flatConnection({ type: 'hubspot', token: 'pat-1', repEmail: 'rep@example.com' }),
        autoLogSent: false,
      },
      updatedAt: 0,
    });
    const repo = new SettingsRepository(db);
    const settings = await repo.get();
    expect(settings.crm).toEqual({
      type: 'hubspot',
      baseUrl: '',
      token: 'pat-1',
      repEmail: 'rep@example.com',
      hubspotAuth: 'private_app',
      hubspotClientId: '',
      hubspotSignedInAt: null,
    });
    expect(settings.autoLogSent).toBe(false);
    await repo.update({ autoLogSent: true });
    const row = await db.settings.get(SETTINGS_KEY);
    expect(row?.value).toMatchObject({ crm: settings.crm });
    expect(await db.events.where('kind').equals('settings.invalid').count()).toBe(0);
    await db.delete();
  });
});
