import type { PageProvider } from '../health/PageIntegrationHealth';
import { OUTLOOK_HOSTS } from './outlook/page/hosts';

/**
 * Which webmail a URL is (https only): Gmail at mail.google.com, Outlook on the web at the
 * hosts its content script runs on. Used with the URL the browser reports for a tab or a
 * message's sender, never with one a page or message names itself.
 */
export function webmailOfUrl(href: string | undefined): PageProvider | null {
  if (!href) return null;
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:') return null;
  if (url.hostname === 'mail.google.com') return 'gmail';
  if ((OUTLOOK_HOSTS as readonly string[]).includes(url.hostname)) return 'outlook';
  return null;
}
