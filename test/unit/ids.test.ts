import { describe, expect, it } from 'vitest';
import { ID_PATTERN, newId } from '../../src/db/ids.js';

describe('newId', () => {
  it('gives distinct, time-ordered UUIDv7-style ids across many random batches', () => {
    const ids = Array.from({ length: 5000 }, () => newId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(ID_PATTERN);
      expect(id[14]).toBe('7');
      expect('89ab').toContain(id[19]!);
    }
    expect([...ids].sort()).toEqual(ids);
    // The random tail differs between consecutive ids (no batch handed out twice).
    const tails = new Set(ids.map((id) => id.slice(24)));
    expect(tails.size).toBe(ids.length);
  });
});
