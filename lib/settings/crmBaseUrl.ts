/**
 * The rule for a CRM base URL, shared by the settings schema (so the background refuses
 * what the options page refuses) and the options page's permission request: https, or plain
 * http only on this computer (the manifest's optional host permissions allow nothing else),
 * and no user name or password in the URL (they would travel in every request and be shown
 * wherever the URL is).
 */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1']);

export type CrmBaseUrlCheck = { ok: true; origin: string } | { ok: false; message: string };

export function checkCrmBaseUrl(baseUrl: string): CrmBaseUrlCheck {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return { ok: false, message: 'Enter the CRM’s full address, such as https://crm.example.com.' };
  }
  if (url.username !== '' || url.password !== '') {
    return {
      ok: false,
      message: 'Leave the user name and password out of the address; the token identifies you.',
    };
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)))
    return { ok: true, origin: url.origin };
  if (url.protocol === 'http:') {
    return { ok: false, message: 'Use https:// (plain http is only allowed for localhost and 127.0.0.1).' };
  }
  return { ok: false, message: 'Enter the CRM’s full address, such as https://crm.example.com.' };
}
