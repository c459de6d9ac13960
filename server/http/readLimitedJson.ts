import type { Context } from 'hono';
import { HttpError } from '../HttpError';

/**
 * The deepest nesting a contract body has is 4 (`{activities: [{to: [{name}]}]}`); a little
 * room stays for clients that wrap, and nothing near what costs a parser real time.
 */
export const MAX_JSON_DEPTH = 16;

/**
 * Nesting depth of a JSON text, stopping as soon as it passes `limit`: one linear pass
 * over the characters, so 8 MB of `[` costs milliseconds instead of a parser's recursion.
 * Brackets inside strings do not count.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c /* \ */) i++;
      else if (code === 0x22 /* " */) inString = false;
      continue;
    }
    if (code === 0x22) inString = true;
    else if (code === 0x5b /* [ */ || code === 0x7b /* { */) {
      if (++depth > limit) return true;
    } else if (code === 0x5d /* ] */ || code === 0x7d /* } */) depth--;
  }
  return false;
}

/** The request body as JSON: 400 `invalid_json` when it is not JSON, 400 `too_deep` past the depth. */
export async function readLimitedJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
    throw new HttpError(400, 'too_deep', `JSON bodies may nest at most ${MAX_JSON_DEPTH} levels deep`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_json', 'the request body is not JSON');
  }
}
