import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { CrmRepository } from '../../server/CrmRepository';
import { createCrmApp } from '../../server/createCrmApp';
import type { OAuthExchangeConfig } from '../../server/oauth/OAuthExchangeConfig';

/**
 * The reference server's HTTP app with only its token exchange in use, on a loopback port:
 * the same routes, middleware and error shape as `npm run crm`, without a database (the
 * /oauth routes never touch the CRM's storage), for tests that need the exchange only.
 */
export async function startTokenExchange(
  config: OAuthExchangeConfig,
): Promise<{ url: string; close: () => Promise<void> }> {
  const app = createCrmApp({ repository: {} as CrmRepository, oauthExchange: { config } });
  const server = await new Promise<Server>((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () =>
      resolve(started as Server),
    );
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
