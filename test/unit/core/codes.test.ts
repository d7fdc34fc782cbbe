import { randomBytes as nodeRandomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RandomBytes } from '../../../src/core/codes.js';
import { CODE_ALPHABET, canonicalCode, generateCode, normalizeCode } from '../../../src/core/codes.js';

/** A deterministic byte source cycling through `values`. */
function cycling(values: number[]): RandomBytes {
  let i = 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let k = 0; k < n; k++) out[k] = values[i++ % values.length] ?? 0;
    return out;
  };
}

const ALL_BYTES = Array.from({ length: 256 }, (_, i) => i);

describe('CODE_ALPHABET', () => {
  it('has 30 unique uppercase characters without look-alikes', () => {
    expect(CODE_ALPHABET).toHaveLength(30);
    expect(new Set(CODE_ALPHABET).size).toBe(30);
    expect(CODE_ALPHABET).toMatch(/^[A-Z2-9]+$/);
    for (const bad of '01OILU') expect(CODE_ALPHABET).not.toContain(bad);
  });
});

describe('generateCode', () => {
  it('defaults to two groups of four', () => {
    const code = generateCode(nodeRandomBytes);
    expect(code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTVWXYZ]{4}-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{4}$/);
  });

  it('maps bytes through the alphabet deterministically', () => {
    expect(generateCode(cycling([0, 1, 2, 3, 4, 5, 6, 7]))).toBe('2345-6789');
    expect(generateCode(cycling([29, 30, 59, 60]), { groups: 1 })).toBe('Z2Z2');
  });

  it('adds an uppercase prefix and respects group options', () => {
    const code = generateCode(cycling([8, 9, 10]), { prefix: 'gold', groups: 3, groupLength: 2 });
    expect(code).toBe('GOLD-AB-CA-BC');
    expect(generateCode(cycling([0]), { prefix: 'G0LD', groups: 1, groupLength: 3 })).toBe('GOLD-222');
  });

  it('rejects bytes >= 240 (rejection sampling)', () => {
    expect(generateCode(cycling([240, 255, 250, 0, 241, 29]), { groups: 1, groupLength: 2 })).toBe('2Z');
  });

  it('is unbiased: a full byte cycle hits every character exactly 8 times', () => {
    const code = generateCode(cycling(ALL_BYTES), { groups: 8, groupLength: 30 }).replace(/-/g, '');
    const counts = new Map<string, number>();
    for (const c of code) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(30);
    for (const n of counts.values()) expect(n).toBe(8);
  });

  it('copes with sources returning fewer bytes than asked', () => {
    const oneAtATime: RandomBytes = () => Uint8Array.of(3);
    expect(generateCode(oneAtATime, { groups: 2, groupLength: 2 })).toBe('55-55');
  });

  it('fails instead of looping forever on a useless source', () => {
    expect(() => generateCode(() => Uint8Array.of(255))).toThrow(/random/);
    expect(() => generateCode(() => new Uint8Array(0))).toThrow(/random/);
  });

  it('validates options', () => {
    const rb = cycling([0]);
    expect(() => generateCode(rb, { groups: 0 })).toThrow(RangeError);
    expect(() => generateCode(rb, { groups: 17 })).toThrow(RangeError);
    expect(() => generateCode(rb, { groupLength: 0 })).toThrow(RangeError);
    expect(() => generateCode(rb, { groupLength: 1.5 })).toThrow(RangeError);
    expect(() => generateCode(rb, { prefix: '' })).toThrow(RangeError);
    expect(() => generateCode(rb, { prefix: 'A-B' })).toThrow(RangeError);
    expect(() => generateCode(rb, { prefix: 'ÄPFEL' })).toThrow(RangeError);
    expect(() => generateCode(rb, { prefix: 'X'.repeat(17) })).toThrow(RangeError);
  });

  it('property: generated codes are their own canonical form (modulo dashes)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 8 }),
        (bytes, groups, groupLength) => {
          const code = generateCode(cycling([...bytes, 0]), { groups, groupLength, prefix: 'VIP' });
          expect(normalizeCode(code)).toBe(code);
          expect(canonicalCode(code)).toBe(code.replace(/-/g, ''));
          expect(canonicalCode(code.toLowerCase().replace(/-/g, ' '))).toBe(canonicalCode(code));
        },
      ),
    );
  });
});

describe('normalizeCode', () => {
  it.each([
    [' gold 7kxm q4ht ', 'GOLD-7KXM-Q4HT'],
    ['gold--7kxm_q4ht', 'GOLD-7KXM-Q4HT'],
    ['GOLD – 7KXM — Q4HT', 'GOLD-7KXM-Q4HT'],
    ['-abcd-', 'ABCD'],
    ['ＧＯＬＤ－７ＫＸＭ', 'GOLD-7KXM'],
    ['g0ld-1234', 'GOLD-I234'],
    ['', ''],
  ])('%j -> %j', (input, expected) => {
    expect(normalizeCode(input)).toBe(expected);
  });
});

describe('canonicalCode', () => {
  it('strips separators and case', () => {
    expect(canonicalCode('gold-7kxm-q4ht')).toBe('GOLD7KXMQ4HT');
    expect(canonicalCode('GOLD 7KXM Q4HT')).toBe('GOLD7KXMQ4HT');
    expect(canonicalCode('GOLD7KXMQ4HT')).toBe('GOLD7KXMQ4HT');
  });

  it('treats 0/O and 1/I as the same character', () => {
    expect(canonicalCode('G0LD-7KXM')).toBe(canonicalCode('GOLD-7KXM'));
    expect(canonicalCode('V1P-AB')).toBe(canonicalCode('VIP-AB'));
    expect(canonicalCode('VLP-AB')).not.toBe(canonicalCode('VIP-AB'));
  });

  it('returns null for empty or invalid input', () => {
    expect(canonicalCode('')).toBeNull();
    expect(canonicalCode(' - ')).toBeNull();
    expect(canonicalCode('GOLD!7KXM')).toBeNull();
    expect(canonicalCode('GOLD.7KXM')).toBeNull();
    expect(canonicalCode('ÄBC')).toBeNull();
    expect(canonicalCode(undefined as unknown as string)).toBeNull();
  });
});
