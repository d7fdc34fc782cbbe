import type { Actor, AppContext } from '../../context.js';
import { withTx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { getProgram } from '../program/index.js';
import { lockOrderForChange, toOrderView } from './orders.common.js';
import { advance } from './orders.record.js';

/** Marks the order fulfilled: it counts (if it did not yet), earns, and its pending points may activate. */
export async function fulfilOrder(ctx: AppContext, orgId: string, orderId: string, actor: Actor) {
  const program = await getProgram(ctx.db, orgId);
  return withTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const { customer, order } = await lockOrderForChange(tx, orgId, orderId);
    if (order.status === 'cancelled') throw new AppError('CONFLICT', 'A cancelled order cannot be fulfilled', { orderId });
    return toOrderView(await advance(tx, ctx, program, customer, order, 'fulfilled', actor, now));
  });
}

