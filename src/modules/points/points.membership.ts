/**
 * What a customer's membership allows the ledger to do with their balance: checked by the
 * ledger before it moves points (membership changes the type; the ledger enforces it).
 */
import { canRedeem, type MembershipType } from '../../core/membership.js';
import { AppError } from '../../errors.js';

/** What these checks need of a customer row. */
export interface MembershipSubject {
  id: string;
  membership_type: MembershipType;
  points_active: number;
}

function leftMessage(c: MembershipSubject, what: string): string {
  return `This customer left the program: their ${c.points_active} point(s) are kept but frozen, so ${what} is not possible. Reinstate them as a member (POST /api/v1/customers/${c.id}/membership { "type": "member" }) to use the balance again`;
}

/**
 * Only members redeem. Guests are told to become members; customers who left are told
 * their balance is frozen until reinstatement. 409 MEMBERSHIP_RESTRICTED.
 */
export function assertCanRedeem(customer: MembershipSubject): void {
  if (canRedeem(customer.membership_type)) return;
  const details = { id: customer.id, membershipType: customer.membership_type, allowed: ['member'] };
  if (customer.membership_type === 'left') throw new AppError('MEMBERSHIP_RESTRICTED', leftMessage(customer, 'redeeming'), details);
  throw new AppError(
    'MEMBERSHIP_RESTRICTED',
    `Guests cannot redeem rewards. Make this customer a member first (POST /api/v1/customers/${customer.id}/membership { "type": "member" })`,
    details,
  );
}

/**
 * A manual deduction spends the balance: refused while the balance is frozen (left).
 * Guests may be corrected by staff (they cannot redeem, but a deduction is not a redemption).
 */
export function assertCanDeduct(customer: MembershipSubject): void {
  if (customer.membership_type !== 'left') return;
  throw new AppError('MEMBERSHIP_RESTRICTED', leftMessage(customer, 'a deduction'), { id: customer.id, membershipType: 'left' });
}

/**
 * A manual addition (staff, bulk action, CSV import) to a customer who left the program is
 * refused: their balance is frozen until they are reinstated (422 RULE_REFUSED).
 */
export function assertCanAdd(customer: MembershipSubject): void {
  if (customer.membership_type !== 'left') return;
  throw new AppError(
    'RULE_REFUSED',
    `This customer left the program: their balance of ${customer.points_active} point(s) is frozen, so points cannot be added. Reinstate them as a member first (POST /api/v1/customers/${customer.id}/membership { "type": "member" }), then add the points`,
    { id: customer.id, membershipType: 'left', allowed: ['member'] },
  );
}
