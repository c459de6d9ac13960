import { SELECTED_HEADERS } from './MailMessage';

/**
 * Provider header lists (`[{ name, value }]`) as lower-cased name -> value. Repeated headers
 * (rare for the ones we read): the first one wins, as it is the one mail clients show.
 */
export function headerMap(
  headers: readonly { name: string; value: string }[] | null | undefined,
): Map<string, string> {
  const map = new Map<string, string>();
  for (const header of headers ?? []) {
    const name = header.name.toLowerCase();
    if (!map.has(name)) map.set(name, header.value);
  }
  return map;
}

/** The `SELECTED_HEADERS` present in a lower-cased header lookup: all a message keeps. */
export function selectedHeaders(get: (name: string) => string | undefined): Record<string, string> {
  const selected: Record<string, string> = {};
  for (const name of SELECTED_HEADERS) {
    const value = get(name);
    if (value !== undefined) selected[name] = value;
  }
  return selected;
}
