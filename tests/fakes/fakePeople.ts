/** One of `items`, drawn with `random`. */
export function pickWith<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** A made-up correspondent: first and last name (in that draw order), then the address's domain. */
export function fakePerson(
  random: () => number,
  names: { first: readonly string[]; last: readonly string[]; domains: readonly string[] },
): { name: string; address: string } {
  const first = pickWith(random, names.first);
  const last = pickWith(random, names.last);
  const domain = pickWith(random, names.domains);
  const local = `${first}.${last}`
    .normalize('NFD')
    .replace(/[^A-Za-z.]/g, '')
    .toLowerCase();
  return { name: `${first} ${last}`, address: `${local}@${domain}` };
}
