/**
 * Tier progress and thresholds travel in one representation per basis: amount spent as a
 * decimal money string ("110.50"), points and orders as integers (1200). Forms edit text;
 * these helpers turn it into what the API takes and check it first.
 */
export type BasisValue = string | number;

const MONEY = /^\d{1,13}(\.\d{1,4})?$/;
const WHOLE = /^\d{1,13}$/;

/** Whether the text is a valid value for the basis (unknown basis: any non-negative number). */
export function basisTextOk(text: string, basis: string | undefined): boolean {
  const t = text.trim();
  if (basis === 'points_earned' || basis === 'orders_count') return WHOLE.test(t);
  return MONEY.test(t);
}

/** The API value for the text: a string for amount spent, an integer for points and orders. */
export function toBasisValue(text: string, basis: string | undefined): BasisValue {
  const t = text.trim();
  return basis === 'points_earned' || basis === 'orders_count' ? Number(t) : t;
}

export function basisHint(basis: string | undefined): string {
  if (basis === 'points_earned') return 'A whole number of points, such as 1000';
  if (basis === 'orders_count') return 'A whole number of orders, such as 5';
  return 'An amount such as 250.00';
}
