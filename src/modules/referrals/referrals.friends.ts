import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { customerExists, referredBy } from './referrals.repo.js';
import { keysetPage } from '../../db/paging.js';

/** Who this customer referred: each friend, whether the referral completed, with which order, and when. */
export async function listReferredFriends(ctx: AppContext, orgId: string, customerId: string, opts: { limit: number; before: { createdAt: Date; id: string } | null }) {
  if (!(await customerExists(ctx.db, orgId, customerId))) throw AppError.notFound('Customer', customerId);
  const { page, next } = await keysetPage(
    opts.limit,
    (limit) => referredBy(ctx.db, orgId, customerId, { limit, before: opts.before }),
    (last) => ({ at: last.created_at.toISOString(), id: last.id }),
  );
  return {
    items: page.map((r) => ({
      id: r.id,
      friend: { id: r.friend_id, name: [r.first_name, r.last_name].filter(Boolean).join(' ') || null, email: r.email },
      status: r.status,
      order: r.completed_order_id && r.order_external_id ? { id: r.completed_order_id, externalId: r.order_external_id } : null,
      rewardPoints: r.reward_points,
      createdAt: r.created_at.toISOString(),
      completedAt: r.completed_at?.toISOString() ?? null,
    })),
    next,
  };
}
