import { HostRoutedHttpsServer, type RequestHandler } from './HostRoutedHttpsServer';
import { type ExtensionBrowser, type LaunchOptions, launchExtensionBrowser } from './launchExtensionBrowser';
import { createTestCertificate } from './testCertificate';
import { GMAIL_HOST, OUTLOOK_HOSTS, routeWebmailFixtures } from './webmailFixtures';

export interface E2eEnvironment {
  browser: ExtensionBrowser;
  webmail: HostRoutedHttpsServer;
  close(): Promise<void>;
}

export interface E2eOptions {
  /** Extra hosts (e.g. provider APIs) served by handlers on the same HTTPS server. */
  extraRoutes?: Record<string, RequestHandler>;
  /** Hosts mapped to servers of their own: host -> port on 127.0.0.1. */
  extraHostPorts?: Record<string, number>;
  /** Passed to launchExtensionBrowser. */
  browser?: Pick<LaunchOptions, 'headless' | 'keepFirstRunTab' | 'viewport' | 'extensionDir'>;
  /** Serves the webmail hosts; default the test fixtures (routeWebmailFixtures). */
  routeWebmail?: (server: HostRoutedHttpsServer) => void;
}

export async function startE2eEnvironment(options: E2eOptions = {}): Promise<E2eEnvironment> {
  const extraHosts = Object.keys(options.extraRoutes ?? {});
  const ownHosts = Object.keys(options.extraHostPorts ?? {});
  const certificate = createTestCertificate([...OUTLOOK_HOSTS, GMAIL_HOST, ...extraHosts, ...ownHosts]);
  const webmail = new HostRoutedHttpsServer(certificate);
  (options.routeWebmail ?? routeWebmailFixtures)(webmail);
  for (const [host, handler] of Object.entries(options.extraRoutes ?? {})) webmail.route(host, handler);
  await webmail.start();
  const hostMap: Record<string, string> = {};
  for (const host of [...OUTLOOK_HOSTS, GMAIL_HOST, ...extraHosts])
    hostMap[host] = `127.0.0.1:${webmail.port}`;
  for (const [host, port] of Object.entries(options.extraHostPorts ?? {}))
    hostMap[host] = `127.0.0.1:${port}`;
  const browser = await launchExtensionBrowser({
    hostMap,
    spkiHash: certificate.spkiHash,
    ...options.browser,
  });
  return {
    browser,
    webmail,
    async close() {
      await browser.close();
      await webmail.close();
    },
  };
}
