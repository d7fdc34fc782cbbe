import type { Executor } from '../../db/tx.js';
import { lotMismatches, recomputedBalances } from './points.repo.js';

export interface VerifyReport {
  customersChecked: number;
  mismatches: { orgId: string; customerId: string; problem: string }[];
}

const FIELDS = ['active', 'pending', 'earned', 'redeemed', 'adjusted', 'expired', 'reversed'] as const;

/**
 * Recomputes every balance from the ledger and every lot from its allocations, and checks
 * the grid's copy of the sort keys (customer_balances) against the customer rows.
 */
export async function verifyLedger(db: Executor, orgId: string | null): Promise<VerifyReport> {
  const rows = (await recomputedBalances(db, orgId)).rows;
  const mismatches: VerifyReport['mismatches'] = [];
  for (const r of rows) {
    for (const f of FIELDS) {
      const cached = r[`points_${f}`];
      const fromEntries = r[`e_${f}`];
      if (cached !== fromEntries) mismatches.push({ orgId: r.org_id, customerId: r.id, problem: `${f}: cached ${cached}, ledger ${fromEntries}` });
    }
    if (r.l_active !== r.points_active) mismatches.push({ orgId: r.org_id, customerId: r.id, problem: `active: cached ${r.points_active}, lots ${r.l_active}` });
    if (r.l_pending !== r.points_pending) mismatches.push({ orgId: r.org_id, customerId: r.id, problem: `pending: cached ${r.points_pending}, lots ${r.l_pending}` });
    // The grid's sort copy (customer_balances, kept by triggers) must equal the customer row.
    if (r.b_active === null) mismatches.push({ orgId: r.org_id, customerId: r.id, problem: 'no customer_balances row (grid sort keys)' });
    else if (r.b_active !== r.points_active || !r.b_activity_same) {
      mismatches.push({
        orgId: r.org_id,
        customerId: r.id,
        problem: `customer_balances: active ${r.b_active}, last activity ${r.b_activity?.toISOString() ?? 'none'}; customer row: active ${r.points_active}`,
      });
    }
    const identity = r.points_earned - r.points_redeemed - r.points_expired - r.points_reversed + r.points_adjusted;
    if (identity !== r.points_active + r.points_pending) {
      mismatches.push({ orgId: r.org_id, customerId: r.id, problem: `earned - redeemed - expired - reversed + adjusted = ${identity}, active + pending = ${r.points_active + r.points_pending}` });
    }
  }
  for (const l of (await lotMismatches(db, orgId)).rows) {
    mismatches.push({ orgId: l.org_id, customerId: l.customer_id, problem: `lot ${l.id}: remaining ${l.remaining}, allocations ${l.allocated}` });
  }
  return { customersChecked: rows.length, mismatches };
}
