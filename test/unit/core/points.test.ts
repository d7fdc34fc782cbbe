import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecimalFormatError, MoneyFormatError } from '../../../src/core/money.js';
import type { Rounding } from '../../../src/core/points.js';
import {
  MAX_POINTS_AMOUNT,
  computeOrderPoints,
  computeRefundReversal,
  validatePointsAmount,
} from '../../../src/core/points.js';

const base = { currency: 'USD', earnRate: '0.1', multiplier: '1', rounding: 'down' as Rounding };

describe('computeOrderPoints', () => {
  it('computes exact points with a tier multiplier', () => {
    const r = computeOrderPoints({ ...base, eligibleMinor: 12000n, multiplier: '1.2' });
    expect(r.points).toBe(14);
    expect(r.explanation).toBe('14 points: 120.00 USD x 0.1 x1.2 tier multiplier = 14.4, rounded down');
  });

  it('omits rounding when the result is exact and the multiplier when it is 1', () => {
    const r = computeOrderPoints({ ...base, eligibleMinor: 12000n });
    expect(r).toEqual({ points: 12, explanation: '12 points: 120.00 USD x 0.1' });
    const m = computeOrderPoints({ ...base, eligibleMinor: 10000n, multiplier: '1.5' });
    expect(m).toEqual({ points: 15, explanation: '15 points: 100.00 USD x 0.1 x1.5 tier multiplier' });
  });

  it('applies each rounding mode', () => {
    const at = (eligibleMinor: bigint, rounding: Rounding) =>
      computeOrderPoints({ ...base, eligibleMinor, rounding }).points;
    expect(at(1249n, 'down')).toBe(1);
    expect(at(1249n, 'up')).toBe(2);
    expect(at(1249n, 'nearest')).toBe(1);
    expect(at(1250n, 'nearest')).toBe(1); // 1.25
    expect(at(1500n, 'nearest')).toBe(2); // 1.5: half up
    expect(at(1500n, 'down')).toBe(1);
    expect(at(1000n, 'up')).toBe(1);
    expect(computeOrderPoints({ ...base, eligibleMinor: 1249n, rounding: 'up' }).explanation).toBe(
      '2 points: 12.49 USD x 0.1 = 1.249, rounded up',
    );
    expect(computeOrderPoints({ ...base, eligibleMinor: 1500n, rounding: 'nearest' }).explanation).toBe(
      '2 points: 15.00 USD x 0.1 = 1.5, rounded to nearest',
    );
  });

  it('avoids float error (0.1 x 3 is exactly 0.3)', () => {
    const r = computeOrderPoints({ ...base, eligibleMinor: 300n, earnRate: '1', multiplier: '0.1', rounding: 'up' });
    // 3.00 USD * 1 * 0.1 = 0.3 -> up = 1; with 30.00 USD it is exactly 3
    expect(r.points).toBe(1);
    const exact = computeOrderPoints({ ...base, eligibleMinor: 3000n, earnRate: '0.1', multiplier: '1', rounding: 'up' });
    expect(exact.points).toBe(3);
  });

  it('uses the currency exponent', () => {
    expect(computeOrderPoints({ ...base, currency: 'JPY', eligibleMinor: 1234n, earnRate: '0.01' })).toEqual({
      points: 12,
      explanation: '12 points: 1234 JPY x 0.01 = 12.34, rounded down',
    });
    expect(computeOrderPoints({ ...base, currency: 'KWD', eligibleMinor: 10500n, earnRate: '2' }).points).toBe(21);
  });

  it('singular point and normalized rate text', () => {
    expect(computeOrderPoints({ ...base, eligibleMinor: 1000n, earnRate: '0.10', multiplier: '1.00' }).explanation).toBe(
      '1 point: 10.00 USD x 0.1',
    );
  });

  it('zero or negative eligible amounts earn nothing', () => {
    expect(computeOrderPoints({ ...base, eligibleMinor: 0n })).toEqual({
      points: 0,
      explanation: '0 points: eligible amount 0.00 USD is not positive',
    });
    expect(computeOrderPoints({ ...base, eligibleMinor: -500n, rounding: 'up' }).points).toBe(0);
  });

  it('zero rate earns zero', () => {
    expect(computeOrderPoints({ ...base, eligibleMinor: 5000n, earnRate: '0' }).points).toBe(0);
  });

  it('rejects bad inputs', () => {
    expect(() => computeOrderPoints({ ...base, eligibleMinor: 1n, currency: 'XXX' })).toThrow(MoneyFormatError);
    expect(() => computeOrderPoints({ ...base, eligibleMinor: 1n, earnRate: '1e2' })).toThrow(DecimalFormatError);
    expect(() => computeOrderPoints({ ...base, eligibleMinor: 1n, multiplier: 'x' })).toThrow(DecimalFormatError);
    expect(() => computeOrderPoints({ ...base, eligibleMinor: 1n, earnRate: '-1' })).toThrow(RangeError);
    expect(() => computeOrderPoints({ ...base, eligibleMinor: 1n, multiplier: '-1' })).toThrow(RangeError);
    expect(() => computeOrderPoints({ ...base, eligibleMinor: 10n ** 30n, earnRate: '1' })).toThrow(RangeError);
  });

  it('property: down <= nearest <= up, differing by at most 1, and monotonic in amount', () => {
    const rate = fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 3 })).map(
      ([d, s]) => (s === 0 ? String(d) : `${Math.floor(d / 10 ** s)}.${String(d % 10 ** s).padStart(s, '0')}`),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 9n }), rate, rate, (eligibleMinor, earnRate, multiplier) => {
        const p = (rounding: Rounding, amount = eligibleMinor) =>
          computeOrderPoints({ eligibleMinor: amount, currency: 'USD', earnRate, multiplier, rounding }).points;
        const down = p('down');
        const up = p('up');
        const nearest = p('nearest');
        expect(down <= nearest && nearest <= up && up - down <= 1).toBe(true);
        expect(p('down', eligibleMinor + 1n)).toBeGreaterThanOrEqual(down);
      }),
    );
  });
});

describe('computeRefundReversal', () => {
  const order = { orderEarned: 100, alreadyReversed: 0, orderTotalMinor: 10000n, alreadyRefundedMinor: 0n };

  it('reverses proportionally, rounding down', () => {
    expect(computeRefundReversal({ ...order, refundMinor: 2500n })).toBe(25);
    expect(computeRefundReversal({ ...order, refundMinor: 2599n })).toBe(25);
    expect(computeRefundReversal({ ...order, refundMinor: 1n })).toBe(0);
  });

  it('works cumulatively across partial refunds', () => {
    // three refunds of 33.33 on 100.00 earning 100 points
    const a = computeRefundReversal({ ...order, refundMinor: 3333n });
    const b = computeRefundReversal({ ...order, alreadyReversed: a, alreadyRefundedMinor: 3333n, refundMinor: 3333n });
    const c = computeRefundReversal({
      ...order,
      alreadyReversed: a + b,
      alreadyRefundedMinor: 6666n,
      refundMinor: 3334n,
    });
    expect([a, b, c]).toEqual([33, 33, 34]);
  });

  it('a refund reaching the full total reverses everything remaining', () => {
    expect(computeRefundReversal({ ...order, alreadyReversed: 40, alreadyRefundedMinor: 4000n, refundMinor: 6000n })).toBe(60);
    expect(computeRefundReversal({ ...order, alreadyReversed: 40, alreadyRefundedMinor: 4000n, refundMinor: 9000n })).toBe(60);
  });

  it('order total of 0 reverses all remaining', () => {
    expect(computeRefundReversal({ ...order, orderTotalMinor: 0n, orderEarned: 50, alreadyReversed: 10, refundMinor: 0n })).toBe(40);
  });

  it('never negative and never beyond what was earned', () => {
    expect(computeRefundReversal({ ...order, alreadyReversed: 90, refundMinor: 1000n })).toBe(0);
    expect(computeRefundReversal({ ...order, alreadyReversed: 150, refundMinor: 10000n })).toBe(0);
    expect(computeRefundReversal({ ...order, orderEarned: 0, refundMinor: 10000n })).toBe(0);
  });

  it('catches up when earlier reversals were smaller than the cumulative target', () => {
    expect(computeRefundReversal({ ...order, alreadyReversed: 0, alreadyRefundedMinor: 5000n, refundMinor: 0n })).toBe(50);
  });

  it('handles large values exactly', () => {
    const r = computeRefundReversal({
      orderEarned: 9_000_000_000_000,
      alreadyReversed: 0,
      orderTotalMinor: 3n * 10n ** 15n,
      alreadyRefundedMinor: 0n,
      refundMinor: 10n ** 15n,
    });
    expect(r).toBe(3_000_000_000_000);
  });

  it('rejects invalid inputs', () => {
    expect(() => computeRefundReversal({ ...order, orderEarned: -1, refundMinor: 1n })).toThrow(RangeError);
    expect(() => computeRefundReversal({ ...order, orderEarned: 1.5, refundMinor: 1n })).toThrow(RangeError);
    expect(() => computeRefundReversal({ ...order, alreadyReversed: -1, refundMinor: 1n })).toThrow(RangeError);
    expect(() => computeRefundReversal({ ...order, refundMinor: -1n })).toThrow(RangeError);
    expect(() => computeRefundReversal({ ...order, orderTotalMinor: -1n, refundMinor: 1n })).toThrow(RangeError);
    expect(() => computeRefundReversal({ ...order, alreadyRefundedMinor: -1n, refundMinor: 1n })).toThrow(RangeError);
  });

  it('property: any sequence of partial refunds never reverses more than earned', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.array(fc.bigInt({ min: 0n, max: 10n ** 12n }), { maxLength: 20 }),
        (orderEarned, orderTotalMinor, raw) => {
          let refunded = 0n;
          let reversed = 0;
          for (const want of raw) {
            const refundMinor = want > orderTotalMinor - refunded ? orderTotalMinor - refunded : want;
            const r = computeRefundReversal({
              orderEarned,
              alreadyReversed: reversed,
              orderTotalMinor,
              alreadyRefundedMinor: refunded,
              refundMinor,
            });
            expect(Number.isSafeInteger(r) && r >= 0).toBe(true);
            refunded += refundMinor;
            reversed += r;
            expect(reversed).toBeLessThanOrEqual(orderEarned);
            if (orderTotalMinor > 0n && refunded < orderTotalMinor) {
              // proportional, never ahead of the refunded share
              expect(BigInt(reversed) * orderTotalMinor <= BigInt(orderEarned) * refunded).toBe(true);
            }
          }
          if (orderTotalMinor > 0n && refunded === orderTotalMinor) expect(reversed).toBe(orderEarned);
        },
      ),
    );
  });

  it('property: result does not depend on how refunds are split', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.bigInt({ min: 1n, max: 10n ** 9n }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 10 }),
        (orderEarned, total, fractions) => {
          let refunded = 0n;
          let reversed = 0;
          for (const f of fractions) {
            const refundMinor = ((total - refunded) * BigInt(Math.floor(f * 1000))) / 1000n;
            reversed += computeRefundReversal({
              orderEarned, alreadyReversed: reversed, orderTotalMinor: total, alreadyRefundedMinor: refunded, refundMinor,
            });
            refunded += refundMinor;
          }
          const single = computeRefundReversal({
            orderEarned, alreadyReversed: 0, orderTotalMinor: total, alreadyRefundedMinor: 0n, refundMinor: refunded,
          });
          expect(reversed).toBe(single);
        },
      ),
    );
  });
});

describe('validatePointsAmount', () => {
  it('accepts integers from 1 to 10,000,000', () => {
    expect(validatePointsAmount(1)).toBeNull();
    expect(validatePointsAmount(500)).toBeNull();
    expect(validatePointsAmount(MAX_POINTS_AMOUNT)).toBeNull();
  });

  it.each([
    ['12', 'Points must be a number'],
    [null, 'Points must be a number'],
    [undefined, 'Points must be a number'],
    [10n, 'Points must be a number'],
    [1.5, 'Points must be a whole number'],
    [Number.NaN, 'Points must be a whole number'],
    [Number.POSITIVE_INFINITY, 'Points must be a whole number'],
    [0, 'Points must be at least 1'],
    [-5, 'Points must be at least 1'],
    [10_000_001, 'Points must be at most 10,000,000'],
  ])('%o gives %s', (input, message) => {
    expect(validatePointsAmount(input)).toBe(message);
  });
});
