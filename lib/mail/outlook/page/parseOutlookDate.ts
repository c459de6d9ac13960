/**
 * Outlook's reading pane shows dates as local wall-clock text in the UI language, with no
 * time zone: "Thu 9/17/2026 2:52 PM" (en-US, saved page in tests/fixtures/outlook/SOURCES.md
 * S3), "Di, 14.04.2020 08:51" and "Fr, 2026-05-22 15:22" (German, S10). The weekday is
 * ignored; day/month order comes from the page's language. A date that cannot be read
 * unambiguously is null, never a guess (a German date once became 1970-01-01).
 */

type Order = 'mdy' | 'dmy';

// Languages whose short numeric date puts the month first (CLDR); every other language
// Outlook ships reads day first.
const MONTH_FIRST = new Set(['en-us', 'en', 'en-ph', 'fil', 'es-us']);

function orderFor(lang: string | null): Order | null {
  if (!lang) return null;
  const l = lang.toLowerCase();
  if (MONTH_FIRST.has(l)) return 'mdy';
  // Bare "en" is treated as en-US above; other English variants (en-GB, en-AU...) are day first.
  return 'dmy';
}

const ISO_DATE = /(\d{4})-(\d{1,2})-(\d{1,2})/;
const NUMERIC_DATE = /(\d{1,2})[./](\d{1,2})[./](\d{4})/;
const TIME = /(\d{1,2}):(\d{2})(?:\s*([AaPp])\.?\s?[Mm]\.?)?/;

function localIso(y: number, mo: number, d: number, h: number, mi: number): string | null {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) return null;
  const date = new Date(y, mo - 1, d, h, mi);
  // Rejects 31 April and the like, which Date would roll over.
  if (date.getFullYear() !== y || date.getMonth() !== mo - 1 || date.getDate() !== d) return null;
  return date.toISOString();
}

/** An ISO instant (the page's wall-clock time in the browser's zone), or null. */
export function parseOutlookDate(text: string, lang: string | null): string | null {
  const t = text.replace(/\s+/g, ' ').trim();
  if (!t) return null;
  const time = t.match(TIME);
  let h = 0;
  let mi = 0;
  const rest = time ? t.replace(time[0], ' ') : t;
  if (time) {
    h = Number(time[1]);
    mi = Number(time[2]);
    const meridiem = time[3]?.toLowerCase();
    if (meridiem) {
      if (h < 1 || h > 12) return null;
      h = (h % 12) + (meridiem === 'p' ? 12 : 0);
    }
  }
  const iso = rest.match(ISO_DATE);
  if (iso) return localIso(Number(iso[1]), Number(iso[2]), Number(iso[3]), h, mi);
  const numeric = rest.match(NUMERIC_DATE);
  if (!numeric) return null; // time only ("2:52 PM" for today) or a word date: not readable without guessing
  const a = Number(numeric[1]);
  const b = Number(numeric[2]);
  const y = Number(numeric[3]);
  // Dots are always day.month.year (German and others); slashes follow the language.
  let order: Order | null = numeric[0].includes('.') ? 'dmy' : orderFor(lang);
  if (order === null) {
    if (a > 12 && b <= 12) order = 'dmy';
    else if (b > 12 && a <= 12) order = 'mdy';
    else return null;
  }
  return order === 'mdy' ? localIso(y, a, b, h, mi) : localIso(y, b, a, h, mi);
}
