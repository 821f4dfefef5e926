import { AppError } from '../shared/errors.js';

/**
 * The deepest nesting any of our request bodies has is a handful of levels (a role map, a QBO
 * CloudEvents batch); 64 leaves room for any of them and for what providers may add.
 */
export const maxJsonDepth = 64;

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Whether a JSON text nests objects and arrays deeper than `max`, by one pass over its bytes that
 * skips string contents: run before JSON.parse and before anything that walks the parsed value
 * recursively (validation, the NUL check), whose work and stack grow with the depth. Malformed
 * text is left to JSON.parse to refuse.
 */
export function jsonNestsDeeperThan(text: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const byte = text[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      depth++;
      if (depth > max) return true;
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) depth--;
  }
  return false;
}

/** The refusal of a body nested too deeply: a 400 naming the body, as parseInput words its errors. */
export function tooDeepError(): AppError {
  const problem = `nests objects or arrays more than ${maxJsonDepth} levels deep`;
  return new AppError(400, 'invalid_request', `Invalid body: body (${problem})`, {
    hint: `Send the JSON with at most ${maxJsonDepth} levels of nesting.`,
    details: { fields: [{ field: 'body', problem }] },
  });
}
