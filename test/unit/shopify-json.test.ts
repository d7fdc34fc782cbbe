import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LosslessJsonError, parseLosslessJson } from '../../src/modules/shopify/lossless-json.js';

describe('lossless JSON for Shopify bodies', () => {
  it('keeps ids above 2^53 exact, as decimal strings', () => {
    const body = '{"id": 9007199254740993, "customer": {"id": 18446744073709551615, "default_address": {"customer_id": 9223372036854775807}}}';
    expect(JSON.parse(body).id).toBe(9007199254740992); // what JSON.parse does: one off
    expect(parseLosslessJson(body)).toEqual({
      id: '9007199254740993',
      customer: { id: '18446744073709551615', default_address: { customer_id: '9223372036854775807' } },
    });
  });

  it('makes every id field a string, small ids too, and the items of *_ids arrays', () => {
    expect(parseLosslessJson('{"id":1,"order_id":450789469,"line_item_ids":[1,9007199254740995],"count":3}')).toEqual({
      id: '1',
      order_id: '450789469',
      line_item_ids: ['1', '9007199254740995'],
      count: 3,
    });
  });

  it('keeps any other number a double cannot hold as its source text', () => {
    expect(parseLosslessJson('{"big": 123456789012345678901, "small": 42, "price": 19.99, "precise": 0.10000000000000000555, "neg": -7}')).toEqual({
      big: '123456789012345678901',
      small: 42,
      price: 19.99,
      precise: '0.10000000000000000555',
      neg: -7,
    });
  });

  it('gives what JSON.parse gives for ordinary documents', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const text = JSON.stringify(value);
        // No id keys and only safe numbers: the two parsers agree (JSON.parse has no -0 in text form).
        fc.pre(!/"(id|\w+_ids?)"\s*:/.test(text));
        fc.pre(!/\d{16,}|e[+-]?\d/i.test(text));
        expect(parseLosslessJson(text)).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('decodes escapes and surrogate pairs, and keeps __proto__ a plain key', () => {
    const parsed = parseLosslessJson('{"a":"line\\nbreak \\"q\\" \\u00e9 \\ud83d\\ude00","__proto__":{"x":1}}') as Record<string, unknown>;
    expect(parsed.a).toBe('line\nbreak "q" é 😀');
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(['a', '__proto__']);
  });

  it('refuses what is not JSON, naming where', () => {
    for (const bad of ['', '{', '{"a":}', '[1,]', '{"a":1}x', "{'a':1}", '{"a":01}', '"\u0001"', 'NaN', '{"a":"\\x"}']) {
      expect(() => parseLosslessJson(bad), bad).toThrow(LosslessJsonError);
    }
    expect(() => parseLosslessJson('{"a": tru}')).toThrow(/at offset 6/);
  });
});
