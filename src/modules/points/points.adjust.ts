import type { Actor, AppContext } from '../../context.js';
import type { Tx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { assertCanAdd, assertCanDeduct } from './points.membership.js';
import type { ProgramSettings } from '../program/index.js';
import { credit, debit } from './points.ledger.js';
import { findEntryByUniqueKey, type CustomerRow, type EntryRow } from './points.repo.js';
import { lockForChange } from '../customers/index.js';
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
 * A manual adjustment (staff, bulk action, CSV import) inside the caller's transaction,
 * applied at most once per unique key: returns the existing entry (applied=false) when
 * the key was already used. Deductions are strict (refused with POINTS_INSUFFICIENT
 * below zero) and refused for customers who cannot spend; nothing is added to the frozen
 * balance of a customer who left.
 */
export async function adjustOnce(
  tx: Tx,
  ctx: AppContext,
  program: ProgramSettings,
  a: KeyedAdjustment,
): Promise<{ entry: EntryRow; applied: boolean; customer: CustomerRow }> {
  const customer = await lockForChange(tx, a.orgId, a.customerId);
  const existing = a.uniqueKey ? await findEntryByUniqueKey(tx, a.orgId, a.uniqueKey) : undefined;
  if (existing) {
    if (existing.customer_id !== a.customerId) throw new AppError('CONFLICT', `This adjustment was already applied to another customer (${existing.customer_id})`);
    return { entry: existing, applied: false, customer };
  }
  if (a.direction === 'deduct') assertCanDeduct(customer);
  else assertCanAdd(customer);
  const sign = a.direction === 'add' ? '+' : '-';
  const balanceAfter = customer.points_active + (a.direction === 'add' ? a.points : -a.points);
  const source = a.sourceType && a.sourceId ? { type: a.sourceType, id: a.sourceId } : null;
  const via = a.via ?? `manual ${a.direction === 'add' ? 'addition' : 'deduction'}`;
  const common = {
    orgId: a.orgId,
    customer,
    reason: a.reason,
    also: {
      activity: [
        {
          orgId: a.orgId,
          customerId: a.customerId,
          type: 'points.adjusted',
          actor: a.actor,
          summary: `${a.direction === 'add' ? 'Added' : 'Deducted'} ${plural(a.points)}${a.via ? ` (${a.via})` : ''}: ${a.reason}`,
          payload: { direction: a.direction, points: a.points, reason: a.reason, balanceAfter, source },
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
  };
  const entry =
    a.direction === 'add'
      ? await credit(tx, ctx, { ...common, kind: 'manual_add', points: a.points, expiresAt: expiryFor(program, a.at) })
      : (await debit(tx, ctx, { ...common, kind: 'manual_deduct', points: a.points, mode: 'strict' })).entry!;
  return { entry, applied: true, customer };
}
