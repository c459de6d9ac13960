import { safeExternalUrl } from './safeExternalUrl';

/**
 * A CRM record's name, linked to the record (new tab) when its URL is a safe http(s) one;
 * plain text otherwise.
 */
export function CrmRecordLink({ url, children }: { url: string | null | undefined; children: string }) {
  const href = safeExternalUrl(url);
  return href ? (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  ) : (
    children
  );
}
