import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { customerExists } from '../customers/index.js';
import { toOrderView, toRefundView } from './orders.common.js';
import * as repo from './orders.repo.js';
import { keysetPage } from '../../db/paging.js';

export async function getOrder(ctx: AppContext, orgId: string, orderId: string) {
  const order = await repo.findOrder(ctx.db, orgId, orderId);
  if (!order) throw AppError.notFound('Order', orderId);
  const refunds = await repo.refundsOf(ctx.db, orgId, orderId);
  return { ...toOrderView(order), refunds: refunds.map((r) => toRefundView(r, order.currency)) };
}

export async function listCustomerOrders(ctx: AppContext, orgId: string, customerId: string, limit: number, before: { placedAt: Date; id: string } | null) {
  if (!(await customerExists(ctx.db, orgId, customerId))) throw AppError.notFound('Customer', customerId);
  const { page, next } = await keysetPage(
    limit,
    (n) => repo.listCustomerOrders(ctx.db, orgId, customerId, n, before),
    (last) => ({ placedAt: last.placed_at.toISOString(), id: last.id }),
  );
  return { items: page.map(toOrderView), next };
}
