import { safeExternalUrl } from './safeExternalUrl';

/**
 * A CRM record's name, linked to the record (new tab) when its URL is a safe http(s) one;
 * plain text otherwise. `crmName` says where the link leads ("Open in HubSpot").
 */
export function CrmRecordLink({
  url,
  children,
  crmName,
}: {
  url: string | null | undefined;
  children: string;
  crmName?: string;
}) {
  const href = safeExternalUrl(url);
  return href ? (
    <a
      href={href}
      target="_blank"
      rel="noopener noreferrer"
      title={crmName ? `Open in ${crmName}` : undefined}
    >
      {children}
    </a>
  ) : (
    children
  );
}
