import type { MailAddress } from './MailMessage';

// RFC 5322 "atext" plus space: a display name made of these needs no quoting beyond "..."
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

function encodeWordBase64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `=?UTF-8?B?${btoa(binary)}?=`;
}

/** A display name as it may appear in a header: quoted, or RFC 2047 encoded when not ASCII. */
export function formatDisplayName(name: string): string {
  if (name === '') return '';
  // "=?" inside a quoted name would be decoded as an encoded word by readers: encode it.
  if (!PRINTABLE_ASCII.test(name) || name.includes('=?')) return encodeWordBase64(name);
  return `"${name.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** Formats one address for a header: `"Name" <addr>` or `<addr>`. */
export function formatAddress(address: MailAddress): string {
  const name = formatDisplayName(address.name);
  return name === '' ? `<${address.address}>` : `${name} <${address.address}>`;
}

/**
 * Formats addresses as an RFC 5322 address list; `parseAddressList` reads it back to the
 * same addresses and (whitespace-collapsed) names.
 */
export function formatAddressList(addresses: readonly MailAddress[]): string {
  return addresses.map(formatAddress).join(', ');
}
