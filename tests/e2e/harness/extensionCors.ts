import type { RequestHandler } from './HostRoutedHttpsServer';

/**
 * The shipped extension reaches HubSpot's and Salesforce's hosts because the options page
 * asks for a host permission for exactly those origins (lib/crm/createCrmConnector.ts
 * crmOrigins, optional_host_permissions in wxt.config.ts): with it, Chromium sends the
 * service worker's requests without CORS; without it they are ordinary cross-origin requests
 * (https://developer.chrome.com/docs/extensions/develop/concepts/network-requests). Granting it means accepting Chromium's own
 * permission prompt, which headless Playwright cannot do (tests/e2e/setup.e2e.test.ts stubs
 * the request for the same reason). So for these hosts the harness answers what an allowed
 * origin would get: the preflight, and Access-Control-Allow-Origin for the extension's origin
 * only. The fake behind it answers unchanged; neither real API is claimed to send these.
 */
export function withExtensionCors(handler: RequestHandler): RequestHandler {
  return (req, res) => {
    const origin = req.headers.origin;
    const fromExtension = typeof origin === 'string' && origin.startsWith('chrome-extension://');
    if (fromExtension) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-expose-headers', '*');
      res.setHeader('vary', 'origin');
    }
    if (fromExtension && req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      res
        .writeHead(204, {
          'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE',
          'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '',
          'access-control-max-age': '600',
        })
        .end();
      return;
    }
    return handler(req, res);
  };
}
