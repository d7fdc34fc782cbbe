import type { AppContext } from '../../context.js';
import { SYSTEM_ACTOR } from '../../context.js';
import { withTx } from '../../db/tx.js';
import { emit } from '../../events/emit.js';
import { recordActivity } from '../activity/index.js';
import { getProgram } from '../program/index.js';
import { activate, expireLots } from './points.ledger.js';
import * as repo from './points.repo.js';

const BATCH = 200;
const plural = (n: number) => `${n} point${n === 1 ? '' : 's'}`;

/**
 * Periodic points maintenance for one organization: activates pending points that are
 * due, expires lots past their expiry (or whole balances after inactivity), and sends
 * expiry reminders. Each customer is handled in its own transaction under its row lock,
 * re-reading its lots, so running this twice (or in two workers) changes nothing more.
 */
export async function runPointsMaintenance(ctx: AppContext, orgId: string) {
  const program = await getProgram(ctx.db, orgId);
  const now = ctx.clock.now();
  const result = { activated: 0, expiredCustomers: 0, expiredPoints: 0, reminders: 0 };

  for (;;) {
    const due = await repo.customersWithDueLots(ctx.db, orgId, now, 'activate', BATCH);
    if (due.length === 0) break;
    for (const { customer_id } of due) {
      result.activated += await withTx(ctx.db, async (tx) => {
        const customer = await repo.lockCustomer(tx, orgId, customer_id);
        if (!customer) return 0;
        const lots = (await repo.openLots(tx, orgId, customer_id)).filter((l) => l.status === 'pending' && l.activates_at && l.activates_at <= now);
        for (const lot of lots) {
          await activate(tx, ctx, {
            orgId,
            customer,
            kind: 'activation',
            lot,
            reason: 'Pending period ended',
            explanation: `${plural(lot.remaining)} became spendable after the pending period`,
            sourceType: lot.order_id ? 'order' : null,
            sourceId: lot.order_id,
            actor: SYSTEM_ACTOR,
            at: now,
          });
          await recordActivity(tx, { orgId, customerId: customer_id, type: 'points.activated', actor: SYSTEM_ACTOR, summary: `${plural(lot.remaining)} are now spendable`, payload: { lotId: lot.id, orderId: lot.order_id, points: lot.remaining }, at: now });
        }
        return lots.length;
      });
    }
    if (due.length < BATCH) break;
  }

  const expireCustomer = async (customerId: string, mode: 'lots' | 'inactivity') =>
    withTx(ctx.db, async (tx) => {
      const customer = await repo.lockCustomer(tx, orgId, customerId);
      if (!customer) return 0;
      const active = (await repo.openLots(tx, orgId, customerId)).filter((l) => l.status === 'active' && l.remaining > 0);
      let lots = active.filter((l) => l.expires_at && l.expires_at <= now);
      if (mode === 'inactivity') {
        const last = customer.last_activity_at ?? customer.created_at;
        const cutoff = new Date(now.getTime() - (program.expiryDays ?? 0) * 86_400_000);
        lots = last <= cutoff ? active : [];
      }
      const why = mode === 'inactivity' ? `no activity for ${program.expiryDays} days` : 'their expiry date passed';
      const total = lots.reduce((s, l) => s + l.remaining, 0);
      const entry = await expireLots(tx, ctx, {
        orgId,
        customer,
        kind: 'expiry',
        lots,
        reason: mode === 'inactivity' ? 'Inactivity expiry' : 'Points expired',
        customerMessage: `${plural(total)} expired`,
        explanation: `-${plural(total)}: expired because ${why}`,
        actor: SYSTEM_ACTOR,
        at: now,
      });
      if (!entry) return 0;
      await recordActivity(tx, { orgId, customerId, type: 'points.expired', actor: SYSTEM_ACTOR, summary: `${plural(total)} expired (${why})`, payload: { entryId: entry.id, points: total, lots: lots.map((l) => l.id) }, at: now });
      return total;
    });

  for (;;) {
    const due = await repo.customersWithDueLots(ctx.db, orgId, now, 'expire', BATCH);
    let progressed = 0;
    for (const { customer_id } of due) {
      const n = await expireCustomer(customer_id, 'lots');
      if (n > 0) {
        result.expiredCustomers++;
        result.expiredPoints += n;
        progressed++;
      }
    }
    if (due.length < BATCH || progressed === 0) break;
  }

  if (program.expiryPolicy === 'inactivity' && program.expiryDays) {
    const cutoff = new Date(now.getTime() - program.expiryDays * 86_400_000);
    for (;;) {
      const due = await repo.customersInactiveSince(ctx.db, orgId, cutoff, BATCH);
      let progressed = 0;
      for (const { customer_id } of due) {
        const n = await expireCustomer(customer_id, 'inactivity');
        if (n > 0) {
          result.expiredCustomers++;
          result.expiredPoints += n;
          progressed++;
        }
      }
      if (due.length < BATCH || progressed === 0) break;
    }
  }

  if (program.reminderDays && program.expiryPolicy === 'days_after_earning') {
    const horizon = new Date(now.getTime() + program.reminderDays * 86_400_000);
    for (;;) {
      const lots = await repo.lotsToRemind(ctx.db, orgId, now, horizon, BATCH);
      if (lots.length === 0) break;
      const byCustomer = new Map<string, typeof lots>();
      for (const l of lots) byCustomer.set(l.customer_id, [...(byCustomer.get(l.customer_id) ?? []), l]);
      for (const [customerId, customerLots] of byCustomer) {
        await withTx(ctx.db, async (tx) => {
          const marked = await repo.markReminded(tx, orgId, customerLots.map((l) => l.id), now);
          if (marked === 0) return;
          const points = customerLots.reduce((s, l) => s + l.remaining, 0);
          const first = customerLots.map((l) => l.expires_at!).sort((a, b) => a.getTime() - b.getTime())[0]!;
          await recordActivity(tx, { orgId, customerId, type: 'points.expiry_reminder', actor: SYSTEM_ACTOR, summary: `Reminder: ${plural(points)} expire on ${first.toISOString().slice(0, 10)}`, payload: { points, expiresAt: first.toISOString(), lots: customerLots.map((l) => l.id) }, at: now });
          await emit(tx, ctx, { type: 'points.expiring', orgId, payload: { customerId, points, expiresAt: first.toISOString() } }, { actor: SYSTEM_ACTOR, at: now });
          result.reminders++;
        });
      }
      if (lots.length < BATCH) break;
    }
  }
  return result;
}
