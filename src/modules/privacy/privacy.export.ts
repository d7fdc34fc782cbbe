import type { Actor, AppContext } from '../../context.js';
import { formatMoney } from '../../core/money.js';
import { AppError } from '../../errors.js';
import { allActivity, recordActivity } from '../activity/index.js';
import { toActivityView } from '../activity/index.js';
import { toCustomerView } from '../customers/index.js';
import { toOrderView } from '../orders/index.js';
import { toEntryView } from '../points/index.js';
import { referralsOf } from '../referrals/index.js';
import { toReferralView } from '../referrals/index.js';
import { couponsOfCustomer } from '../rewards/index.js';
import { toCouponView } from '../rewards/index.js';
import { customerRecords, findCustomerRow, findOrgName, previousValues } from './privacy.repo.js';

const FIELD_NAMES = { email: 'email', phone: 'phone', first_name: 'firstName', last_name: 'lastName' } as const;

/**
 * A data-access export of one customer: profile, earlier emails, phones and names, note, preferences, every ledger entry,
 * order (with refunds), coupon, referral and timeline event. The export itself is
 * recorded in the timeline (who exported, when).
 */
export async function exportCustomer(ctx: AppContext, orgId: string, customerId: string, actor: Actor) {
  const row = await findCustomerRow(ctx.db, orgId, customerId);
  if (!row) throw AppError.notFound('Customer', customerId);
  const org = await findOrgName(ctx.db, orgId);
  const now = ctx.clock.now();
  await recordActivity(ctx.db, { orgId, customerId, type: 'customer.exported', actor, summary: `Customer data exported by ${actor.name}`, payload: {}, at: now });
  const { entries, orders, refunds, link } = await customerRecords(ctx.db, orgId, customerId);
  const profile = await toCustomerView(ctx, row);
  return {
    format: 'patron.customer-export.v1' as const,
    exportedAt: now.toISOString(),
    organization: { id: org.id, name: org.name },
    profile,
    previousValues: (await previousValues(ctx.db, orgId, customerId)).map((p) => ({ field: FIELD_NAMES[p.field], value: p.value, replacedAt: p.replaced_at.toISOString() })),
    note: profile.note,
    notificationPreferences: profile.notificationPreferences,
    ledger: entries.map(toEntryView),
    orders: orders.map((o) => {
      const v = toOrderView(o);
      const cur = o.currency.trim();
      return {
        id: v.id,
        externalId: v.externalId,
        status: v.status,
        total: v.total,
        refunded: v.refunded,
        discountCodes: v.discountCodes,
        placedAt: v.placedAt,
        pointsEarned: v.pointsEarned,
        pointsReversed: v.pointsReversed,
        explanation: v.explanation,
        refunds: refunds
          .filter((r) => r.order_id === o.id)
          .map((r) => ({ refundId: r.external_id, amount: { amount: formatMoney(BigInt(r.amount_minor), cur), currency: cur }, pointsReversed: r.points_reversed, reason: r.reason, createdAt: r.created_at.toISOString() })),
      };
    }),
    coupons: (await couponsOfCustomer(ctx.db, orgId, customerId)).map((c) => toCouponView(c, now)),
    referrals: {
      link: link ? { code: link.code, status: link.status, friendDiscountCode: link.friend_discount_code, createdAt: link.created_at.toISOString() } : null,
      referrals: (await referralsOf(ctx.db, orgId, customerId)).map(toReferralView),
    },
    timeline: (await allActivity(ctx.db, orgId, customerId)).map(toActivityView),
  };
}
