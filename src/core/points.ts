/**
 * Exact points arithmetic: earning on orders and reversing on refunds.
 * Points are safe integers; money is bigint minor units; rates are decimal strings.
 */
import type { Rounding } from './money.js';
import {
  currencyExponent,
  divRound,
  formatDecimal,
  formatMoney,
  normalizeDecimal,
  parseDecimal,
  pow10,
} from './money.js';

export type { Rounding } from './money.js';

export const MAX_POINTS_AMOUNT = 10_000_000;

export interface OrderPointsInput {
  /** Eligible order amount in minor units of `currency`. */
  eligibleMinor: bigint;
  currency: string;
  /** Points per 1 whole currency unit, decimal string such as "0.1" or "1". */
  earnRate: string;
  /** Multiplier (e.g. tier multiplier) as a decimal string such as "1.2"; "1" for none. */
  multiplier: string;
  rounding: Rounding;
}

export interface OrderPoints {
  points: number;
  explanation: string;
}

const ROUNDING_WORDS: Record<Rounding, string> = {
  down: 'rounded down',
  up: 'rounded up',
  nearest: 'rounded to nearest',
};

function pointsWord(n: number | bigint): string {
  return `${n} point${n === 1 || n === 1n ? '' : 's'}`;
}

/**
 * points = round(eligibleMinor / 10^exponent * earnRate * multiplier), computed exactly.
 * Zero or negative eligible amounts earn 0. Throws for unknown currency, malformed or
 * negative rate/multiplier, or a result beyond Number.MAX_SAFE_INTEGER.
 */
export function computeOrderPoints(input: OrderPointsInput): OrderPoints {
  const { eligibleMinor, currency, earnRate, multiplier, rounding } = input;
  const exponent = currencyExponent(currency);
  const rate = parseDecimal(earnRate);
  const mult = parseDecimal(multiplier);
  if (rate.digits < 0n) throw new RangeError(`Earn rate must not be negative, got ${earnRate}`);
  if (mult.digits < 0n) throw new RangeError(`Multiplier must not be negative, got ${multiplier}`);
  const amount = `${formatMoney(eligibleMinor, currency)} ${currency}`;
  if (eligibleMinor <= 0n) {
    return { points: 0, explanation: `0 points: eligible amount ${amount} is not positive` };
  }
  const numerator = eligibleMinor * rate.digits * mult.digits;
  const scale = exponent + rate.scale + mult.scale;
  const denominator = pow10(scale);
  const rounded = divRound(numerator, denominator, rounding);
  if (rounded > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`Order would earn ${rounded} points, beyond the supported maximum`);
  }
  const points = Number(rounded);
  const rateText = formatDecimal(normalizeDecimal(rate));
  const multText = formatDecimal(normalizeDecimal(mult));
  let explanation = `${pointsWord(points)}: ${amount} x ${rateText}`;
  if (multText !== '1') explanation += ` x${multText} tier multiplier`;
  if (numerator % denominator !== 0n) {
    const exact = formatDecimal(normalizeDecimal({ digits: numerator, scale }));
    explanation += ` = ${exact}, ${ROUNDING_WORDS[rounding]}`;
  }
  return { points, explanation };
}

export interface RefundReversalInput {
  /** Points this order originally earned. */
  orderEarned: number;
  /** Points already reversed for this order by earlier refunds. */
  alreadyReversed: number;
  orderTotalMinor: bigint;
  /** Sum of earlier refunds on this order, minor units. */
  alreadyRefundedMinor: bigint;
  /** This refund, minor units. */
  refundMinor: bigint;
}

function requireNonNegativeInteger(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${name} must be a non-negative integer, got ${n}`);
}

function requireNonNegativeMinor(name: string, n: bigint): void {
  if (n < 0n) throw new RangeError(`${name} must not be negative, got ${n}`);
}

/**
 * Points to reverse for one refund, proportional to what the order earned.
 * Cumulative target = floor(orderEarned * (alreadyRefunded + refund) / orderTotal),
 * clamped to orderEarned; a refund reaching the full total (or an order total of 0)
 * reverses everything remaining. Result = target - alreadyReversed, never negative.
 */
export function computeRefundReversal(input: RefundReversalInput): number {
  const { orderEarned, alreadyReversed, orderTotalMinor, alreadyRefundedMinor, refundMinor } = input;
  requireNonNegativeInteger('orderEarned', orderEarned);
  requireNonNegativeInteger('alreadyReversed', alreadyReversed);
  requireNonNegativeMinor('orderTotalMinor', orderTotalMinor);
  requireNonNegativeMinor('alreadyRefundedMinor', alreadyRefundedMinor);
  requireNonNegativeMinor('refundMinor', refundMinor);
  const cumulative = alreadyRefundedMinor + refundMinor;
  let target: number;
  if (orderTotalMinor === 0n || cumulative >= orderTotalMinor) {
    target = orderEarned;
  } else {
    target = Number((BigInt(orderEarned) * cumulative) / orderTotalMinor);
  }
  return Math.max(0, Math.min(target, orderEarned) - alreadyReversed);
}

/** Problem message for a manual points amount, or null when valid (integer 1..10,000,000). */
export function validatePointsAmount(n: unknown): string | null {
  if (typeof n !== 'number') return 'Points must be a number';
  if (!Number.isInteger(n)) return 'Points must be a whole number';
  if (n < 1) return 'Points must be at least 1';
  if (n > MAX_POINTS_AMOUNT) return 'Points must be at most 10,000,000';
  return null;
}
