/**
 * A deal amount in its own currency. CRMs send free-form currency fields, and
 * Intl.NumberFormat throws on a code it does not know, so that case falls back to
 * the plain number followed by the code rather than breaking the card.
 */
export function formatAmount(amount: number, currency: string | null, locale?: string): string {
  if (currency) {
    try {
      return new Intl.NumberFormat(locale, {
        style: 'currency',
        currency: currency.toUpperCase(),
        maximumFractionDigits: 0,
      }).format(amount);
    } catch {
      return `${new Intl.NumberFormat(locale).format(amount)} ${currency}`;
    }
  }
  return new Intl.NumberFormat(locale).format(amount);
}
