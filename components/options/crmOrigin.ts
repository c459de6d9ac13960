/**
 * The origin the extension needs host permission for to reach a CRM base URL, or why it
 * cannot have one. The manifest's optional host permissions allow any https origin, and
 * plain http only on this computer, so anything else could never be granted.
 */
export function crmOrigin(baseUrl: string): { ok: true; origin: string } | { ok: false; message: string } {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return { ok: false, message: 'Enter the CRM’s full address, such as https://crm.example.com.' };
  }
  const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1';
  if (url.protocol === 'https:' || (url.protocol === 'http:' && local))
    return { ok: true, origin: url.origin };
  if (url.protocol === 'http:') {
    return { ok: false, message: 'Use https:// (plain http is only allowed for localhost and 127.0.0.1).' };
  }
  return { ok: false, message: 'Enter the CRM’s full address, such as https://crm.example.com.' };
}
