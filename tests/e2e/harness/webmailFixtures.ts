import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { OUTLOOK_HOSTS } from '../../../lib/mail/outlook/page/hosts';
import type { HostRoutedHttpsServer } from './HostRoutedHttpsServer';

const FIXTURES = resolve(import.meta.dirname, '../fixtures');

// The same four hosts the content script matches, so a host missing there fails here.
export { OUTLOOK_HOSTS };
export const GMAIL_HOST = 'mail.google.com';

async function sendFile(res: ServerResponse, file: string): Promise<void> {
  const html = await readFile(resolve(FIXTURES, file), 'utf8');
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
}

/**
 * The webmail hosts serve single-page-app shells at any path, like the real ones:
 * Outlook deep links (/mail/inbox/id/...) and Gmail's /mail/u/N/ all load one page.
 */
export function routeWebmailFixtures(server: HostRoutedHttpsServer): void {
  for (const host of OUTLOOK_HOSTS) {
    server.route(host, (req, res) => {
      const path = new URL(req.url ?? '/', `https://${host}`).pathname;
      if (path.startsWith('/mail')) return sendFile(res, 'outlook/reading-pane.html');
      if (path === '/favicon.ico') return void res.writeHead(204).end();
      res.writeHead(404).end();
    });
  }
  server.route(GMAIL_HOST, (req, res) => {
    const path = new URL(req.url ?? '/', `https://${GMAIL_HOST}`).pathname;
    if (path.startsWith('/mail')) return sendFile(res, 'gmail/inbox.html');
    if (path === '/favicon.ico') return void res.writeHead(204).end();
    res.writeHead(404).end();
  });
}
