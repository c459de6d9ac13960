import { CrmError } from '../../CrmError';
import type { CrmVendorBackend } from '../CrmVendorBackend';
import { createHubSpotCrmConnector } from './HubSpotCrmConnector';
import { HubSpotOAuthSignIn } from './HubSpotOAuthSignIn';
import { hubspotConformance } from './hubspotConformance';
import type { HubSpotConnection, HubSpotSignInRequest } from './hubspotVendor';

export const hubspotBackend: CrmVendorBackend<HubSpotConnection, HubSpotSignInRequest> = {
  createConnector: (crm, deps) => {
    const tokens = deps.tokens;
    return createHubSpotCrmConnector({
      accessToken:
        crm.hubspotAuth === 'oauth'
          ? tokens
            ? () => tokens.accessToken(crm)
            : () => Promise.reject(new CrmError('auth', 'Sign in with HubSpot on the options page first.'))
          : crm.token,
      repEmail: crm.repEmail,
      apiBase: crm.baseUrl || undefined,
      fetch: deps.fetch,
    });
  },
  signIn: ({ settings, webAuthFlow, tokens, now }) => {
    const oauth = new HubSpotOAuthSignIn({ settings, webAuthFlow, tokens, now });
    return {
      signIn: (request) => oauth.signIn(request),
      signOut: () => oauth.signOut(),
      tokens: { accessToken: () => oauth.accessToken() },
    };
  },
  conformance: hubspotConformance,
};
