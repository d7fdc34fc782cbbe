/**
 * A JSON parser that never loses a digit. Shopify sends 64-bit ids as JSON numbers
 * (`"id": 9554194432293`); `JSON.parse` rounds anything above 2^53 - 1 to the nearest
 * double, and Node 20's reviver cannot see the source text. Here:
 * - the value of an id field (`id`, any `*_id`, and the items of any `*_ids` array) is
 *   always a decimal string, whatever its size, so ids have one type end to end;
 * - any other number that a double cannot hold exactly (an integer beyond 2^53 - 1, or a
 *   fraction with more digits than a double keeps) is kept as its source text;
 * - every other value is what `JSON.parse` gives.
 * Strings, escapes and nesting follow RFC 8259; anything else is a LosslessJsonError
 * naming the offset.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export class LosslessJsonError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
  }
}

const MAX_DEPTH = 200;

/** True for the keys whose numbers are ids: `id`, `order_id`, `line_item_ids`, ... */
export function isIdKey(key: string | null): boolean {
  return key !== null && (key === 'id' || key.endsWith('_id') || key.endsWith('_ids'));
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const SIMPLE_STRING = /[^"\\\u0000-\u001f]*/y;

export function parseLosslessJson(text: string): JsonValue {
  let pos = 0;

  const fail = (what: string): never => {
    throw new LosslessJsonError(what, pos);
  };

  const skipSpace = () => {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else break;
    }
  };

  const parseString = (): string => {
    pos++; // opening quote
    let out = '';
    for (;;) {
      SIMPLE_STRING.lastIndex = pos;
      const m = SIMPLE_STRING.exec(text)!;
      out += m[0];
      pos += m[0].length;
      if (pos >= text.length) fail('Unterminated string');
      const c = text[pos];
      if (c === '"') {
        pos++;
        return out;
      }
      if (c !== '\\') fail('Control character in string');
      const e = text[pos + 1];
      pos += 2;
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          const hex = text.slice(pos, pos + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('Invalid \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 4;
          break;
        }
        case undefined:
        default:
          pos -= 2;
          fail('Invalid escape');
      }
    }
  };

  const parseNumber = (key: string | null): string | number => {
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (!m || m[0].length === 0) fail('Unexpected character');
    const source = m![0];
    pos += source.length;
    const isInteger = /^-?\d+$/.test(source);
    if (isIdKey(key) && isInteger) return source;
    const value = Number(source);
    if (isInteger) return Number.isSafeInteger(value) ? value : source;
    // A fraction or exponent: keep the text when the double does not round-trip it.
    return exactlyRepresented(source, value) ? value : source;
  };

  const parseValue = (key: string | null, depth: number): JsonValue => {
    if (depth > MAX_DEPTH) fail('Nested too deeply');
    skipSpace();
    if (pos >= text.length) fail('Unexpected end of input');
    const c = text[pos];
    if (c === '{') {
      pos++;
      const obj: { [k: string]: JsonValue } = {};
      skipSpace();
      if (text[pos] === '}') {
        pos++;
        return obj;
      }
      for (;;) {
        skipSpace();
        if (text[pos] !== '"') fail('Expected a property name');
        const k = parseString();
        skipSpace();
        if (text[pos] !== ':') fail('Expected ":"');
        pos++;
        const v = parseValue(k, depth + 1);
        // Same as JSON.parse: a repeated key keeps the last value; __proto__ is a plain key.
        Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
        skipSpace();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === '}') {
          pos++;
          return obj;
        }
        fail('Expected "," or "}"');
      }
    }
    if (c === '[') {
      pos++;
      const arr: JsonValue[] = [];
      // Items of an `*_ids` array are ids too.
      const itemKey = key !== null && key.endsWith('_ids') ? key : null;
      skipSpace();
      if (text[pos] === ']') {
        pos++;
        return arr;
      }
      for (;;) {
        arr.push(parseValue(itemKey, depth + 1));
        skipSpace();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === ']') {
          pos++;
          return arr;
        }
        fail('Expected "," or "]"');
      }
    }
    if (c === '"') return parseString();
    if (text.startsWith('true', pos)) {
      pos += 4;
      return true;
    }
    if (text.startsWith('false', pos)) {
      pos += 5;
      return false;
    }
    if (text.startsWith('null', pos)) {
      pos += 4;
      return null;
    }
    return parseNumber(key);
  };

  const value = parseValue(null, 0);
  skipSpace();
  if (pos !== text.length) fail('Unexpected text after the JSON value');
  return value;
}

/** True when the double prints back to the same decimal value as the source text. */
function exactlyRepresented(source: string, value: number): boolean {
  if (!Number.isFinite(value)) return false;
  return normalizeDecimalText(String(value)) === normalizeDecimalText(source);
}

/** A canonical form of a decimal literal: sign, digits without leading/trailing zeros, exponent. */
function normalizeDecimalText(s: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(s);
  if (!m) return s;
  const digits = (m[2]! + (m[3] ?? '')).replace(/^0+/, '');
  let exp = Number(m[4] ?? 0) - (m[3]?.length ?? 0);
  let d = digits;
  while (d.endsWith('0')) {
    d = d.slice(0, -1);
    exp++;
  }
  if (d === '') return '0';
  return `${m[1]}${d}e${exp}`;
}
