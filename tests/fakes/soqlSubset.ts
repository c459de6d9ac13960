/**
 * The subset of SOQL the Salesforce connector writes, parsed strictly: SELECT fields FROM
 * object [WHERE condition] [ORDER BY field [ASC|DESC]] [LIMIT n], conditions of `=`, `!=`,
 * `LIKE`, `IN (...)` joined by AND/OR with parentheses; string literals in single quotes
 * with backslash escapes; true/false/null; numbers. Grammar after the SOQL reference
 * (https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select.htm).
 * Anything else is MALFORMED_QUERY, as Salesforce answers a query it cannot parse.
 */

export type SoqlValue = string | number | boolean | null;
export type SoqlCondition =
  | { op: 'and' | 'or'; left: SoqlCondition; right: SoqlCondition }
  | { op: '=' | '!=' | 'like'; field: string; value: SoqlValue }
  | { op: 'in'; field: string; values: SoqlValue[] };

export interface SoqlQuery {
  fields: string[];
  object: string;
  where: SoqlCondition | null;
  orderBy: { field: string; descending: boolean } | null;
  limit: number | null;
}

export class SoqlSyntaxError extends Error {}

type Token = { kind: 'word' | 'string' | 'number' | 'symbol'; text: string };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let text = '';
      i++;
      while (i < input.length && input[i] !== "'") {
        if (input[i] === '\\') {
          i++;
          const escaped = input[i];
          if (escaped === undefined) throw new SoqlSyntaxError('unterminated escape');
          text += escaped === 'n' ? '\n' : escaped;
        } else text += input[i];
        i++;
      }
      if (input[i] !== "'") throw new SoqlSyntaxError('unterminated string literal');
      i++;
      tokens.push({ kind: 'string', text });
    } else if (/[0-9-]/.test(c) && /[0-9]/.test(input[i + 1] ?? c)) {
      const m = /^-?\d+(\.\d+)?/.exec(input.slice(i))!;
      tokens.push({ kind: 'number', text: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(input.slice(i))!;
      tokens.push({ kind: 'word', text: m[0] });
      i += m[0].length;
    } else if (input.startsWith('!=', i)) {
      tokens.push({ kind: 'symbol', text: '!=' });
      i += 2;
    } else if ('(),='.includes(c)) {
      tokens.push({ kind: 'symbol', text: c });
      i++;
    } else throw new SoqlSyntaxError(`unexpected character ${c}`);
  }
  return tokens;
}

export function parseSoql(input: string): SoqlQuery {
  const tokens = tokenize(input);
  let pos = 0;
  const peek = () => tokens[pos];
  const isWord = (w: string) => peek()?.kind === 'word' && peek()!.text.toUpperCase() === w;
  const expectWord = (w: string) => {
    if (!isWord(w)) throw new SoqlSyntaxError(`expected ${w} near ${peek()?.text ?? 'the end'}`);
    pos++;
  };
  const field = () => {
    const t = tokens[pos++];
    if (t?.kind !== 'word') throw new SoqlSyntaxError(`expected a field near ${t?.text ?? 'the end'}`);
    return t.text;
  };
  const value = (): SoqlValue => {
    const t = tokens[pos++];
    if (!t) throw new SoqlSyntaxError('expected a value');
    if (t.kind === 'string') return t.text;
    if (t.kind === 'number') return Number(t.text);
    if (t.kind === 'word' && /^(true|false|null)$/i.test(t.text))
      return t.text.toLowerCase() === 'null' ? null : t.text.toLowerCase() === 'true';
    throw new SoqlSyntaxError(`unexpected ${t.text}`);
  };
  const factor = (): SoqlCondition => {
    if (peek()?.text === '(') {
      pos++;
      const inner = expr();
      if (tokens[pos++]?.text !== ')') throw new SoqlSyntaxError('expected )');
      return inner;
    }
    const f = field();
    const op = tokens[pos++];
    if (op?.text === '=' || op?.text === '!=') return { op: op.text, field: f, value: value() };
    if (op?.kind === 'word' && op.text.toUpperCase() === 'LIKE')
      return { op: 'like', field: f, value: value() };
    if (op?.kind === 'word' && op.text.toUpperCase() === 'IN') {
      if (tokens[pos++]?.text !== '(') throw new SoqlSyntaxError('expected ( after IN');
      const values: SoqlValue[] = [value()];
      while (peek()?.text === ',') {
        pos++;
        values.push(value());
      }
      if (tokens[pos++]?.text !== ')') throw new SoqlSyntaxError('expected ) after the IN list');
      return { op: 'in', field: f, values };
    }
    throw new SoqlSyntaxError(`unexpected ${op?.text ?? 'end'} after ${f}`);
  };
  const term = (): SoqlCondition => {
    let left = factor();
    while (isWord('AND')) {
      pos++;
      left = { op: 'and', left, right: factor() };
    }
    return left;
  };
  const expr = (): SoqlCondition => {
    let left = term();
    while (isWord('OR')) {
      pos++;
      left = { op: 'or', left, right: term() };
    }
    return left;
  };

  expectWord('SELECT');
  const fields = [field()];
  while (peek()?.text === ',') {
    pos++;
    fields.push(field());
  }
  expectWord('FROM');
  const object = field();
  let where: SoqlCondition | null = null;
  if (isWord('WHERE')) {
    pos++;
    where = expr();
  }
  let orderBy: SoqlQuery['orderBy'] = null;
  if (isWord('ORDER')) {
    pos++;
    expectWord('BY');
    const f = field();
    let descending = false;
    if (isWord('DESC') || isWord('ASC')) descending = tokens[pos++]!.text.toUpperCase() === 'DESC';
    orderBy = { field: f, descending };
  }
  let limit: number | null = null;
  if (isWord('LIMIT')) {
    pos++;
    const n = value();
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0)
      throw new SoqlSyntaxError('LIMIT needs a whole number');
    limit = n;
  }
  if (pos !== tokens.length) throw new SoqlSyntaxError(`unexpected ${tokens[pos]?.text}`);
  return { fields, object, where, orderBy, limit };
}

/** Whether a record (fields looked up case-insensitively) matches a condition. */
export function matchesSoql(record: Record<string, unknown>, condition: SoqlCondition | null): boolean {
  if (!condition) return true;
  const get = (name: string) => {
    const key = Object.keys(record).find((k) => k.toLowerCase() === name.toLowerCase());
    return key === undefined ? null : (record[key] as SoqlValue);
  };
  const eq = (a: SoqlValue, b: SoqlValue) =>
    typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : a === b;
  switch (condition.op) {
    case 'and':
      return matchesSoql(record, condition.left) && matchesSoql(record, condition.right);
    case 'or':
      return matchesSoql(record, condition.left) || matchesSoql(record, condition.right);
    case '=':
      return eq(get(condition.field), condition.value);
    case '!=':
      return !eq(get(condition.field), condition.value);
    case 'in':
      return condition.values.some((v) => eq(get(condition.field), v));
    case 'like': {
      const actual = get(condition.field);
      if (typeof actual !== 'string' || typeof condition.value !== 'string') return false;
      const pattern = condition.value
        .split('%')
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/_/g, '.'))
        .join('.*');
      return new RegExp(`^${pattern}$`, 'i').test(actual);
    }
  }
}

/** Field names a condition uses, to refuse unknown columns (INVALID_FIELD). */
export function conditionFields(condition: SoqlCondition | null): string[] {
  if (!condition) return [];
  if ('left' in condition) return [...conditionFields(condition.left), ...conditionFields(condition.right)];
  return [condition.field];
}
