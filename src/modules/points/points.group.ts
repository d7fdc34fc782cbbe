import type { Executor } from '../../db/tx.js';
import * as repo from './points.repo.js';
import type { LedgerChange } from './points.repo.js';

type Applied = Awaited<ReturnType<typeof repo.applyLedgerChange>>;

interface Waiting {
  change: LedgerChange;
  resolve(applied: Applied): void;
  reject(err: unknown): void;
}

/** At most this many waiting changes of one customer go into one statement. */
export const MAX_GROUP = 64;

/** Changes waiting, per customer with a statement in flight in this process. */
const inFlight = new Map<string, Waiting[]>();
const counters = { statements: 0, grouped: 0 };

/**
 * SQL states after which the statement's implicit transaction certainly rolled back and the
 * connection is fine: a data or integrity error, a rolled-back transaction (deadlock,
 * serialization), an exception raised by the function. Anything else (a lost connection) may
 * have come after the commit, so those changes are not run again.
 */
const ROLLED_BACK = /^(22|23|40|P0)/;

/**
 * Applies a ledger change (`patron_ledger_change()`, one statement in an implicit
 * transaction), grouping concurrent changes of one customer: while a statement for a
 * customer is in flight, further changes of that customer wait, and then go together in one
 * statement and one commit (in arrival order, each seeing the ones before it). One
 * customer's changes serialize on its row lock anyway; grouped, they pay for one lock, one
 * round trip and one commit instead of one each. Every change keeps its own outcome
 * (applied, refused, duplicate, missing), so errors and idempotency stay per request. If one
 * change makes the grouped statement fail, nothing of it was written and each change of the
 * group runs alone, with its own result or error.
 */
export async function applyGrouped(db: Executor, change: LedgerChange): Promise<Applied> {
  const key = `${change.orgId}\u0000${change.customerId}`;
  const waiting = inFlight.get(key);
  if (waiting) return new Promise<Applied>((resolve, reject) => waiting.push({ change, resolve, reject }));
  const queue: Waiting[] = [];
  inFlight.set(key, queue);
  try {
    counters.statements++;
    return await repo.applyLedgerChange(db, change);
  } finally {
    void drain(db, key, queue);
  }
}

async function drain(db: Executor, key: string, queue: Waiting[]): Promise<void> {
  try {
    while (queue.length > 0) {
      const group = queue.splice(0, MAX_GROUP);
      counters.statements++;
      if (group.length > 1) counters.grouped += group.length;
      try {
        const applied = group.length === 1 ? [await repo.applyLedgerChange(db, group[0]!.change)] : await repo.applyLedgerChanges(db, group.map((w) => w.change));
        group.forEach((w, i) => w.resolve(applied[i]!));
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (group.length === 1 || typeof code !== 'string' || !ROLLED_BACK.test(code)) {
          for (const w of group) w.reject(err);
          continue;
        }
        for (const w of group) {
          try {
            counters.statements++;
            w.resolve(await repo.applyLedgerChange(db, w.change));
          } catch (one) {
            w.reject(one);
          }
        }
      }
    }
  } finally {
    inFlight.delete(key);
  }
}

/** Statements sent and changes that shared one with others (for tests and metrics). */
export function groupingStats(): { statements: number; grouped: number } {
  return { ...counters };
}
