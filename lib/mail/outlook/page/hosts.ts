/**
 * Outlook on the web. outlook.cloud.microsoft is Microsoft's current host for work and school
 * accounts, part of the unified cloud.microsoft domain
 * (https://learn.microsoft.com/en-us/microsoft-365/enterprise/cloud-microsoft-domain);
 * outlook.office.com and outlook.office365.com still serve the same mailboxes, and
 * outlook.live.com serves personal ones.
 */
export const OUTLOOK_HOSTS = [
  'outlook.cloud.microsoft',
  'outlook.office.com',
  'outlook.office365.com',
  'outlook.live.com',
] as const;

export const OUTLOOK_MATCHES = OUTLOOK_HOSTS.map((host) => `https://${host}/*`);
