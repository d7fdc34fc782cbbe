/**
 * Points lots: each earn creates a lot with its own expiry; spending and
 * expiring consume lots in a fixed, deterministic order.
 */

export interface LotState {
  id: string;
  remaining: number;
  expiresAt: Date | null;
  createdAt: Date;
}

export interface LotAllocation {
  lotId: string;
  points: number;
}

export interface LotConsumption {
  /** In consumption order; only lots that give at least one point appear. */
  allocations: LotAllocation[];
  /** Part of `amount` the lots could not cover (0 when fully covered). */
  shortfall: number;
}

/**
 * Consumption order: earliest expiresAt first, never-expiring (null) last,
 * then oldest createdAt, then id (plain code-unit comparison).
 */
export function compareLotsForConsumption(a: LotState, b: LotState): number {
  if (a.expiresAt !== b.expiresAt) {
    if (a.expiresAt === null) return 1;
    if (b.expiresAt === null) return -1;
    const byExpiry = a.expiresAt.getTime() - b.expiresAt.getTime();
    if (byExpiry !== 0) return byExpiry;
  }
  const byCreated = a.createdAt.getTime() - b.createdAt.getTime();
  if (byCreated !== 0) return byCreated;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A sorted copy of `lots` in consumption order (input is not mutated). */
export function sortLotsForConsumption<T extends LotState>(lots: readonly T[]): T[] {
  return [...lots].sort(compareLotsForConsumption);
}

/**
 * Takes `amount` points from the lots in consumption order, skipping lots with
 * remaining <= 0. Throws RangeError unless amount is a non-negative safe integer.
 */
export function consumeLots(lots: readonly LotState[], amount: number): LotConsumption {
  if (!Number.isSafeInteger(amount) || amount < 0) {
    throw new RangeError(`amount must be a non-negative integer, got ${amount}`);
  }
  const allocations: LotAllocation[] = [];
  let left = amount;
  for (const lot of sortLotsForConsumption(lots)) {
    if (left === 0) break;
    if (!(lot.remaining > 0)) continue;
    const points = Math.min(lot.remaining, left);
    allocations.push({ lotId: lot.id, points });
    left -= points;
  }
  return { allocations, shortfall: left };
}

/** Lots whose expiry has passed (expiresAt <= now) and still hold points, in consumption order. */
export function dueLots<T extends LotState>(lots: readonly T[], now: Date): T[] {
  const cutoff = now.getTime();
  return sortLotsForConsumption(
    lots.filter((lot) => lot.expiresAt !== null && lot.expiresAt.getTime() <= cutoff && lot.remaining > 0),
  );
}
