/** The origin of an installed Chrome extension (the id is made up). */
export const EXTENSION_ORIGIN = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';

/**
 * What an extension's fetch sends and Node's does not: an `Origin` header on every request
 * (the Microsoft fake tells SPA from other redemptions by it, as Entra does).
 */
export const extensionFetch: typeof fetch = (input, init) => {
  const headers = new Headers(init?.headers);
  headers.set('origin', EXTENSION_ORIGIN);
  return fetch(input, { ...init, headers });
};
