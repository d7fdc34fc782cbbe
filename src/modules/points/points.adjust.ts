import type { Actor, AppContext } from '../../context.js';
import type { Executor } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { assertCanAdd, assertCanDeduct } from './points.membership.js';
import type { ProgramSettings } from '../program/index.js';
import { change, insufficient } from './points.ledger.js';
import { findEntryByUniqueKey, type CustomerRow, type EntryRow } from './points.repo.js';
import { anonymizedError } from '../customers/index.js';
import { expiryFor } from './points.expiry.js';

export interface KeyedAdjustment {
  orgId: string;
  customerId: string;
  direction: 'add' | 'deduct';
  points: number;
  reason: string;
  customerMessage?: string | null | undefined;
  visibleToCustomer?: boolean | undefined;
  countsTowardTier?: boolean | undefined;
  /** Business uniqueness of this adjustment (bulk:<jobId>:<customerId>, import:<sha>:<row>); none for a staff adjustment. */
  uniqueKey?: string | undefined;
  /** Where it came from, for the timeline ("bulk action", "CSV import"); absent for a staff adjustment. */
  via?: string | undefined;
  sourceType?: string | undefined;
  sourceId?: string | undefined;
  actor: Actor;
  at: Date;
}

const plural = (n: number) => `${n} point${n === 1 ? '' : 's'}`;

/**
 * A manual adjustment (staff, bulk action, CSV import), in the caller's transaction if it
 * has one, else in one statement (see `change`), applied at most once per unique key:
 * returns the existing entry (applied=false) when the key was already used. Deductions are
 * strict (refused with POINTS_INSUFFICIENT below zero) and refused for customers who cannot
 * spend; nothing is added to the frozen balance of a customer who left.
 */
export async function adjustOnce(
  db: Executor,
  ctx: AppContext,
  program: ProgramSettings,
  a: KeyedAdjustment,
): Promise<{ entry: EntryRow; applied: boolean; customer: CustomerRow }> {
  const sign = a.direction === 'add' ? '+' : '-';
  const source = a.sourceType && a.sourceId ? { type: a.sourceType, id: a.sourceId } : null;
  const via = a.via ?? `manual ${a.direction === 'add' ? 'addition' : 'deduction'}`;
  const r = await change(db, ctx, {
    orgId: a.orgId,
    customerId: a.customerId,
    op: a.direction === 'add' ? 'credit' : 'debit',
    kind: a.direction === 'add' ? 'manual_add' : 'manual_deduct',
    points: a.points,
    // Both directions are refused while the balance is frozen (left); guests may be corrected.
    guard: 'not_left',
    mode: 'strict',
    expiresAt: a.direction === 'add' ? expiryFor(program, a.at) : null,
    reason: a.reason,
    also: {
      activity: [
        {
          orgId: a.orgId,
          customerId: a.customerId,
          type: 'points.adjusted',
          actor: a.actor,
          summary: `${a.direction === 'add' ? 'Added' : 'Deducted'} ${plural(a.points)}${a.via ? ` (${a.via})` : ''}: ${a.reason}`,
          // balanceAfter is filled in by the database with the balance after the entry.
          payload: { direction: a.direction, points: a.points, reason: a.reason, balanceAfter: null, source },
          at: a.at,
        },
      ],
    },
    customerMessage: a.customerMessage?.trim() || null,
    visibleToCustomer: a.visibleToCustomer ?? true,
    countsTowardTier: a.direction === 'add' && (a.countsTowardTier ?? false),
    explanation: `${sign}${plural(a.points)}: ${via} by ${a.actor.name} ("${a.reason}")`,
    sourceType: a.sourceType,
    sourceId: a.sourceId,
    uniqueKey: a.uniqueKey,
    actor: a.actor,
    at: a.at,
    refusal: (customer) => {
      if (!customer) throw AppError.notFound('Customer', a.customerId);
      if (customer.anonymized_at) throw anonymizedError(customer);
      if (a.direction === 'deduct') assertCanDeduct(customer);
      else assertCanAdd(customer);
      if (a.direction === 'deduct' && a.points > customer.points_active) throw insufficient(customer.points_active, a.points);
    },
  });
  if (r.applied) return { entry: r.entry, applied: true, customer: r.customer };
  const existing = await findEntryByUniqueKey(db, a.orgId, a.uniqueKey!);
  if (!existing) throw new Error(`The entry with unique key ${a.uniqueKey} disappeared`);
  if (existing.customer_id !== a.customerId) throw new AppError('CONFLICT', `This adjustment was already applied to another customer (${existing.customer_id})`);
  return { entry: existing, applied: false, customer: r.customer };
}
