import type { MailMessage, MailProvider } from '../mail/MailMessage';

const PROVIDER_DERIVED_DOMAIN = 'crm-sidebar.invalid';

/**
 * An injective, lower-case encoding of a provider id. Gmail ids are already lower-case
 * hex; Outlook ids are case-sensitive base64, so upper-case letters become `.x` and every
 * other character `-hh` (hex): two different ids never share a key after lower-casing.
 */
function encodeProviderId(id: string): string {
  let out = '';
  for (const ch of id) {
    if (/[a-z0-9]/.test(ch)) out += ch;
    else if (/[A-Z]/.test(ch)) out += `.${ch.toLowerCase()}`;
    else {
      for (const byte of new TextEncoder().encode(ch)) out += `-${byte.toString(16).padStart(2, '0')}`;
    }
  }
  return out;
}

/**
 * The stand-in key for a manual log of a message that has no Message-ID, derived from the
 * provider's id and clearly marked as such (`x-provider-…@crm-sidebar.invalid`; `.invalid`
 * is reserved by RFC 2606, so it can never collide with a real Message-ID).
 */
export function providerDerivedExternalId(provider: MailProvider, providerMessageId: string): string {
  return `x-provider-${provider}-${encodeProviderId(providerMessageId)}@${PROVIDER_DERIVED_DOMAIN}`;
}

export function isProviderDerivedExternalId(externalId: string): boolean {
  return externalId.startsWith('x-provider-') && externalId.endsWith(`@${PROVIDER_DERIVED_DOMAIN}`);
}

/**
 * The contract's `externalId` for a message: its normalised Message-ID; for a manual log
 * of a message without one, the provider-derived key; otherwise null (not auto-logged).
 */
export function externalIdFor(
  message: Pick<MailMessage, 'messageId' | 'provider' | 'providerMessageId'>,
  mode: 'auto' | 'manual',
): string | null {
  if (message.messageId) return message.messageId;
  if (mode === 'manual' && message.providerMessageId !== '') {
    return providerDerivedExternalId(message.provider, message.providerMessageId);
  }
  return null;
}
