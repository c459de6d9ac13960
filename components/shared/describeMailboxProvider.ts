import type { MailProvider } from './ExtensionApi';

export function describeMailboxProvider(provider: MailProvider): string {
  return provider === 'gmail' ? 'Google' : 'Microsoft';
}
