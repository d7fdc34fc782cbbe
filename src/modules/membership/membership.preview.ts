import { checkTransition, type MembershipType } from '../../core/membership.js';
import type { Executor } from '../../db/tx.js';
import { getCustomerRow } from '../customers/index.js';
import { findEntryByUniqueKey } from '../points/index.js';
import { activeRule } from '../rules/index.js';

/**
 * What changing the membership type would do, for the dialog to say before confirming:
 * whether the move is allowed and the welcome bonus (the signup rule, once per customer)
 * becoming a member would also credit.
 */
export async function previewMembershipChange(db: Executor, orgId: string, customerId: string, to: MembershipType) {
  const customer = await getCustomerRow(db, orgId, customerId);
  const check = checkTransition(customer.membership_type, to);
  let welcomeBonus: { points: number; ruleName: string } | null = null;
  if (check.ok && to === 'member') {
    const rule = await activeRule(db, orgId, 'signup');
    if (rule && rule.points > 0 && !(await findEntryByUniqueKey(db, orgId, `signup:${customer.id}`))) welcomeBonus = { points: rule.points, ruleName: rule.name };
  }
  return { from: customer.membership_type, to, allowed: check.ok, welcomeBonus };
}
