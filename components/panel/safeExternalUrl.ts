/**
 * Links to CRM records come from the CRM's data; only http(s) ones become links so a
 * `javascript:` or `data:` URL in a record can never run in the webmail page.
 */
export function safeExternalUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** A tel: href with only the characters a dialer understands. */
export function telHref(phone: string): string | null {
  const dialable = phone.replace(/[^\d+*#,;]/g, '');
  return /\d/.test(dialable) ? `tel:${dialable}` : null;
}
