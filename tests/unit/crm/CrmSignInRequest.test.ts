import { describe, expect, it } from 'vitest';
import { CrmSignIn } from '../../../lib/crm/CrmSignIn';
import { CrmSignInRequest } from '../../../lib/crm/vendors/crmVendors';
import { DEFAULT_SETTINGS, mergeSettings, type Settings } from '../../../lib/settings/Settings';
import { memorySessionArea } from '../../fakes/memorySessionArea';

describe('the generic crm.signIn request', () => {
  it("parses each vendor's own fields by its signInRequest, and refuses a vendor without a sign-in", () => {
    expect(
      CrmSignInRequest.parse({ vendor: 'hubspot', clientId: ' app-1 ', repEmail: 'rita@acme.test' }),
    ).toEqual({
      vendor: 'hubspot',
      clientId: 'app-1',
      repEmail: 'rita@acme.test',
    });
    expect(
      CrmSignInRequest.parse({
        vendor: 'salesforce',
        loginUrl: 'https://login.salesforce.com',
        consumerKey: 'k',
      }),
    ).toEqual({ vendor: 'salesforce', loginUrl: 'https://login.salesforce.com', consumerKey: 'k' });
    expect(CrmSignInRequest.safeParse({ vendor: 'hubspot', clientId: '' }).success).toBe(false);
    expect(
      CrmSignInRequest.safeParse({ vendor: 'salesforce', loginUrl: 'ftp://x', consumerKey: 'k' }).success,
    ).toBe(false);
    expect(CrmSignInRequest.safeParse({ vendor: 'rest', clientId: 'x' }).success).toBe(false);
    expect(CrmSignInRequest.safeParse({ vendor: 'pipedrive' }).success).toBe(false);
  });

  it("routes sign-out to the vendor's sign-in, and gives token vendors no token source", async () => {
    let settings: Settings = mergeSettings(DEFAULT_SETTINGS, {
      crm: {
        type: 'hubspot',
        repEmail: 'rita@acme.test',
        hubspotAuth: 'oauth',
        hubspotSignedInAt: '2025-03-10T09:00:00.000Z',
      },
    });
    const deleted: string[] = [];
    const signIns = new CrmSignIn({
      settings: {
        getSettings: async () => settings,
        updateSettings: async (patch) => {
          settings = mergeSettings(settings, patch);
          return settings;
        },
      },
      webAuthFlow: {
        getRedirectUrl: () => 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/',
        launch: () => Promise.reject(new Error('no identity window in this test')),
      },
      sessionArea: memorySessionArea(),
      tokens: { get: async () => null, set: async () => {}, delete: async (key) => void deleted.push(key) },
      now: () => 0,
    });
    expect(signIns.connectorDeps({ type: 'rest', baseUrl: 'https://crm.example', token: 't' })).toEqual({});
    expect(signIns.connectorDeps({ type: 'pipedrive', baseUrl: '', token: 't' })).toEqual({});
    expect(signIns.connectorDeps(settings.crm).tokens).toBeDefined();
    await expect(signIns.signOut('rest')).rejects.toMatchObject({ kind: 'unsupported' });
    await signIns.signOut('hubspot');
    expect(deleted).toEqual(['crm:hubspot']);
    expect(settings.crm).toMatchObject({ type: 'hubspot', hubspotSignedInAt: null });
  });
});
