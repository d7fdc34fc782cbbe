import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LotState } from '../../../src/core/lots.js';
import { compareLotsForConsumption, consumeLots, dueLots, sortLotsForConsumption } from '../../../src/core/lots.js';

const d = (iso: string) => new Date(iso);

function lot(id: string, remaining: number, expiresAt: string | null, createdAt = '2025-01-01T00:00:00Z'): LotState {
  return { id, remaining, expiresAt: expiresAt === null ? null : d(expiresAt), createdAt: d(createdAt) };
}

describe('consumeLots', () => {
  const lots = [
    lot('never', 100, null, '2024-01-01T00:00:00Z'),
    lot('late', 50, '2026-06-01T00:00:00Z'),
    lot('early', 30, '2025-06-01T00:00:00Z'),
    lot('empty', 0, '2025-01-01T00:00:00Z'),
    lot('negative', -5, '2025-01-01T00:00:00Z'),
  ];

  it('consumes the earliest expiry first and never-expiring last', () => {
    expect(consumeLots(lots, 100)).toEqual({
      allocations: [
        { lotId: 'early', points: 30 },
        { lotId: 'late', points: 50 },
        { lotId: 'never', points: 20 },
      ],
      shortfall: 0,
    });
  });

  it('stops as soon as the amount is covered', () => {
    expect(consumeLots(lots, 10)).toEqual({ allocations: [{ lotId: 'early', points: 10 }], shortfall: 0 });
    expect(consumeLots(lots, 30)).toEqual({ allocations: [{ lotId: 'early', points: 30 }], shortfall: 0 });
  });

  it('reports the shortfall when lots do not cover the amount', () => {
    const r = consumeLots(lots, 200);
    expect(r.allocations.map((a) => a.points)).toEqual([30, 50, 100]);
    expect(r.shortfall).toBe(20);
    expect(consumeLots([], 7)).toEqual({ allocations: [], shortfall: 7 });
  });

  it('amount 0 allocates nothing', () => {
    expect(consumeLots(lots, 0)).toEqual({ allocations: [], shortfall: 0 });
  });

  it('breaks expiry ties by createdAt, then id', () => {
    const tied = [
      lot('b', 1, '2025-06-01T00:00:00Z', '2025-01-02T00:00:00Z'),
      lot('c', 1, '2025-06-01T00:00:00Z', '2025-01-01T00:00:00Z'),
      lot('a', 1, '2025-06-01T00:00:00Z', '2025-01-02T00:00:00Z'),
      lot('z', 1, null, '2020-01-01T00:00:00Z'),
      lot('y', 1, null, '2020-01-01T00:00:00Z'),
    ];
    expect(consumeLots(tied, 5).allocations.map((a) => a.lotId)).toEqual(['c', 'a', 'b', 'y', 'z']);
  });

  it('does not mutate its input', () => {
    const copy = lots.map((l) => ({ ...l }));
    consumeLots(lots, 150);
    expect(lots).toEqual(copy);
  });

  it('rejects invalid amounts', () => {
    expect(() => consumeLots(lots, -1)).toThrow(RangeError);
    expect(() => consumeLots(lots, 1.5)).toThrow(RangeError);
    expect(() => consumeLots(lots, Number.NaN)).toThrow(RangeError);
  });

  const arbLots = fc
    .uniqueArray(
      fc.record({
        id: fc.string({ minLength: 1, maxLength: 6 }),
        remaining: fc.integer({ min: -10, max: 1000 }),
        expiresAt: fc.option(fc.integer({ min: 0, max: 50 }), { nil: null }),
        createdAt: fc.integer({ min: 0, max: 50 }),
      }),
      { selector: (l) => l.id, maxLength: 15 },
    )
    .map((ls) =>
      ls.map(
        (l): LotState => ({
          id: l.id,
          remaining: l.remaining,
          expiresAt: l.expiresAt === null ? null : new Date(l.expiresAt * 86_400_000),
          createdAt: new Date(l.createdAt * 86_400_000),
        }),
      ),
    );

  it('property: conserves points and respects consumption order', () => {
    fc.assert(
      fc.property(arbLots, fc.integer({ min: 0, max: 20_000 }), (input, amount) => {
        const { allocations, shortfall } = consumeLots(input, amount);
        const byId = new Map(input.map((l) => [l.id, l]));
        const total = allocations.reduce((s, a) => s + a.points, 0);
        expect(total + shortfall).toBe(amount);
        expect(shortfall).toBeGreaterThanOrEqual(0);
        const available = input.reduce((s, l) => s + Math.max(0, l.remaining), 0);
        expect(shortfall).toBe(Math.max(0, amount - available));
        expect(new Set(allocations.map((a) => a.lotId)).size).toBe(allocations.length);
        allocations.forEach((a, i) => {
          const l = byId.get(a.lotId);
          expect(l).toBeDefined();
          if (!l) return;
          expect(a.points).toBeGreaterThan(0);
          expect(a.points).toBeLessThanOrEqual(l.remaining);
          // every allocation except the last drains its lot completely
          if (i < allocations.length - 1) expect(a.points).toBe(l.remaining);
          const prev = allocations[i - 1];
          const prevLot = prev ? byId.get(prev.lotId) : undefined;
          if (prevLot) expect(compareLotsForConsumption(prevLot, l)).toBeLessThan(0);
        });
        // no skipped lot with points sorts before the last used lot
        const last = allocations.at(-1);
        const lastLot = last ? byId.get(last.lotId) : undefined;
        if (lastLot) {
          const used = new Set(allocations.map((a) => a.lotId));
          for (const l of input) {
            if (l.remaining > 0 && !used.has(l.id)) expect(compareLotsForConsumption(l, lastLot)).toBeGreaterThan(0);
          }
        }
      }),
    );
  });
});

describe('sortLotsForConsumption', () => {
  it('returns a sorted copy', () => {
    const input = [lot('n', 1, null), lot('a', 1, '2025-02-01T00:00:00Z'), lot('b', 1, '2025-01-01T00:00:00Z')];
    expect(sortLotsForConsumption(input).map((l) => l.id)).toEqual(['b', 'a', 'n']);
    expect(input.map((l) => l.id)).toEqual(['n', 'a', 'b']);
  });
});

describe('dueLots', () => {
  const now = d('2025-06-01T00:00:00Z');

  it('returns lots expired at or before now that still hold points, in consumption order', () => {
    const input = [
      lot('future', 10, '2025-06-01T00:00:00.001Z'),
      lot('exactly-now', 10, '2025-06-01T00:00:00Z'),
      lot('past', 10, '2025-01-01T00:00:00Z'),
      lot('past-empty', 0, '2025-01-01T00:00:00Z'),
      lot('past-negative', -3, '2025-01-01T00:00:00Z'),
      lot('never', 10, null),
    ];
    expect(dueLots(input, now).map((l) => l.id)).toEqual(['past', 'exactly-now']);
  });

  it('returns the original objects', () => {
    const input = [lot('past', 10, '2025-01-01T00:00:00Z')];
    expect(dueLots(input, now)[0]).toBe(input[0]);
    expect(dueLots([], now)).toEqual([]);
  });
});
