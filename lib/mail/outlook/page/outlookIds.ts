/**
 * Outlook on the web runs on Exchange Web Services ids: the page's `data-convid` and the
 * item ids in its URLs come in the EWS alphabet (`+`, `/`) or the URL-safe one, with or
 * without `=` padding. The same item seen both ways reads `AAkALg+HYQDEapm/EWg0AFt` and
 * `AAkALg_HYQDEapm-EWg0AFt` (tests/fixtures/outlook/SOURCES.md S9): `+` becomes `_` and `/`
 * becomes `-`, the mapping Office.js's convertToRestId applies. Microsoft Graph returns the
 * URL-safe `restId` with padding
 * (https://learn.microsoft.com/en-us/graph/api/user-translateexchangeids). The mapping is
 * only used to compare ids without a network call; the Graph upgrade asks translateExchangeIds.
 */
export function toGraphRestId(raw: string): string {
  const id = toUrlSafeAlphabet(raw).replace(/=+$/, '');
  const pad = id.length % 4;
  return pad === 0 ? id : `${id}${'='.repeat(4 - pad)}`;
}

/** URL-decoded, in the URL-safe alphabet, padding left as the page gave it. */
export function toUrlSafeAlphabet(raw: string): string {
  let id = raw.trim();
  try {
    id = decodeURIComponent(id);
  } catch {
    // Not URL-encoded: use as is.
  }
  return id.replace(/\+/g, '_').replace(/\//g, '-');
}

/** True when an id uses the EWS alphabet, so Graph needs it translated (ewsId -> restId). */
export function isEwsAlphabet(raw: string): boolean {
  let id = raw;
  try {
    id = decodeURIComponent(raw);
  } catch {
    // keep raw
  }
  return /[+/]/.test(id);
}
