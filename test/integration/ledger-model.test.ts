import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR, type Actor } from '../../src/context.js';
import { withTx } from '../../src/db/tx.js';
import type { AppError } from '../../src/errors.js';
import { createOrganization } from '../../src/modules/orgs/orgs.service.js';
import { upsertCustomer } from '../../src/modules/customers/customers.service.js';
import { cancelOrder, recordOrder, refundOrder } from '../../src/modules/orders/orders.service.js';
import { runPointsMaintenance } from '../../src/modules/points/points.jobs.js';
import { debit } from '../../src/modules/points/points.ledger.js';
import { adjustPoints, lockForChange } from '../../src/modules/points/points.service.js';
import { verifyLedger } from '../../src/modules/points/points.verify.js';
import { updateProgram } from '../../src/modules/program/program.service.js';
import { createHarness, ENGINE, unique, type Harness } from '../helpers/harness.js';

/**
 * Model-based test: random sequences of earn / order / refund / cancel / adjust /
 * redeem-like debit / expire / activate against an in-memory model of lots. After
 * every step the database must agree with the model and with its own invariants.
 * `LEDGER_MODEL_RUNS=10000 npx vitest run test/integration/ledger-model.test.ts` runs more.
 */
const RUNS = Number(process.env.LEDGER_MODEL_RUNS ?? 1000);
const DAY = 86_400_000;

type Op =
  | { t: 'order'; cents: number }
  | { t: 'refund'; pick: number; pct: number }
  | { t: 'cancel'; pick: number }
  | { t: 'add'; points: number }
  | { t: 'deduct'; points: number }
  | { t: 'redeem'; points: number }
  | { t: 'advance'; days: number };

interface Lot { remaining: number; expiresAt: number | null; createdAt: number; seq: number; status: 'pending' | 'active'; activatesAt: number | null; orderKey: string | null }
interface ModelOrder { id: string; key: string; total: number; refunded: number; earned: number; reversed: number; cancelled: boolean }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant('order' as const), cents: fc.integer({ min: 0, max: 50_000 }) }),
  fc.record({ t: fc.constant('refund' as const), pick: fc.nat(), pct: fc.integer({ min: 1, max: 100 }) }),
  fc.record({ t: fc.constant('cancel' as const), pick: fc.nat() }),
  fc.record({ t: fc.constant('add' as const), points: fc.integer({ min: 1, max: 300 }) }),
  fc.record({ t: fc.constant('deduct' as const), points: fc.integer({ min: 1, max: 300 }) }),
  fc.record({ t: fc.constant('redeem' as const), points: fc.integer({ min: 1, max: 300 }) }),
  fc.record({ t: fc.constant('advance' as const), days: fc.integer({ min: 1, max: 20 }) }),
);

const policyArb = fc.record({
  pendingDays: fc.constantFrom(0, 0, 5),
  expiryDays: fc.constantFrom(null, 15, 40),
  clawback: fc.constantFrom('clamp' as const, 'allow_negative' as const),
});

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

class Model {
  lots: Lot[] = [];
  debt = 0;
  seq = 0;
  orders: ModelOrder[] = [];
  constructor(readonly policy: { pendingDays: number; expiryDays: number | null; clawback: 'clamp' | 'allow_negative' }) {}
  get active() {
    return this.lots.filter((l) => l.status === 'active').reduce((s, l) => s + l.remaining, 0) - this.debt;
  }
  get pending() {
    return this.lots.filter((l) => l.status === 'pending').reduce((s, l) => s + l.remaining, 0);
  }
  credit(points: number, now: number, pending: boolean, orderKey: string | null) {
    let p = points;
    if (!pending && this.debt > 0) {
      const fill = Math.min(this.debt, p);
      this.debt -= fill;
      p -= fill;
    }
    this.lots.push({ remaining: p, expiresAt: this.policy.expiryDays ? now + this.policy.expiryDays * DAY : null, createdAt: now, seq: this.seq++, status: pending ? 'pending' : 'active', activatesAt: pending ? now + this.policy.pendingDays * DAY : null, orderKey });
  }
  take(points: number, prefer: Lot | null): number {
    let left = points;
    if (prefer && prefer.status === 'active') {
      const t = Math.min(left, prefer.remaining);
      prefer.remaining -= t;
      left -= t;
    }
    const order = this.lots
      .filter((l) => l.status === 'active' && l.remaining > 0)
      .sort((a, b) => (a.expiresAt ?? Infinity) - (b.expiresAt ?? Infinity) || a.createdAt - b.createdAt || a.seq - b.seq);
    for (const l of order) {
      const t = Math.min(left, l.remaining);
      l.remaining -= t;
      left -= t;
    }
    return left;
  }
  tick(now: number) {
    for (const l of this.lots) {
      if (l.status === 'pending' && l.activatesAt !== null && l.activatesAt <= now) {
        l.status = 'active';
        if (this.debt > 0) {
          const fill = Math.min(this.debt, l.remaining);
          this.debt -= fill;
          l.remaining -= fill;
        }
      }
    }
    for (const l of this.lots) if (l.status === 'active' && l.expiresAt !== null && l.expiresAt <= now) l.remaining = 0;
  }
}

describe(`ledger model (${RUNS} random sequences) on ${ENGINE}`, () => {
  it('keeps the database equal to the model and to its invariants after every step', async () => {
    const actor: Actor = { type: 'system', id: null, name: 'model test' };
    await fc.assert(
      fc.asyncProperty(policyArb, fc.array(opArb, { minLength: 1, maxLength: 12 }), async (policy, ops) => {
        const org = await createOrganization(h.ctx, { slug: unique('m').toLowerCase(), name: 'Model' });
        await updateProgram(h.ctx, org.id, {
          pendingDays: policy.pendingDays,
          clawbackPolicy: policy.clawback,
          ...(policy.expiryDays ? { expiryPolicy: 'days_after_earning' as const, expiryDays: policy.expiryDays } : {}),
        });
        const { customer } = await upsertCustomer(h.ctx, org.id, { externalId: 'c', accountState: 'registered' }, SYSTEM_ACTOR);
        const m = new Model(policy);
        for (const op of ops) {
          const now = h.clock.now().getTime();
          switch (op.t) {
            case 'order': {
              const key = unique('o');
              const amount = `${Math.floor(op.cents / 100)}.${String(op.cents % 100).padStart(2, '0')}`;
              const r = await recordOrder(h.ctx, org.id, { externalId: key, customerId: customer.id, total: { amount, currency: 'USD' } }, actor);
              const earned = Math.floor(op.cents / 100);
              expect(r.order.pointsEarned).toBe(earned);
              if (earned > 0) m.credit(earned, now, policy.pendingDays > 0, key);
              m.orders.push({ id: r.order.id, key, total: op.cents, refunded: 0, earned, reversed: 0, cancelled: false });
              break;
            }
            case 'refund':
            case 'cancel': {
              const open = m.orders.filter((o) => !o.cancelled && o.refunded < o.total);
              const o = open[op.pick % Math.max(open.length, 1)];
              if (!o) break;
              let target: number;
              if (op.t === 'refund') {
                const cents = Math.max(1, Math.floor(((o.total - o.refunded) * op.pct) / 100));
                const amount = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
                await refundOrder(h.ctx, org.id, o.id, { amount: { amount, currency: 'USD' } }, actor);
                const cumulative = o.refunded + cents;
                target = (cumulative >= o.total ? o.earned : Math.floor((o.earned * cumulative) / o.total)) - o.reversed;
                o.refunded = cumulative;
              } else {
                await cancelOrder(h.ctx, org.id, o.id, undefined, actor);
                target = o.earned - o.reversed;
                o.cancelled = true;
              }
              o.reversed += target;
              const lot = m.lots.find((l) => l.orderKey === o.key) ?? null;
              if (target > 0) {
                if (lot && lot.status === 'pending') lot.remaining -= Math.min(target, lot.remaining);
                else if (policy.clawback === 'clamp') m.take(Math.min(target, Math.max(0, m.active)), lot);
                else m.debt += m.take(target, lot);
              }
              break;
            }
            case 'add':
              await adjustPoints(h.ctx, org.id, customer.id, { direction: 'add', points: op.points, reason: 'model' }, actor);
              m.credit(op.points, now, false, null);
              break;
            case 'deduct':
            case 'redeem': {
              const ok = m.active >= op.points;
              try {
                if (op.t === 'deduct') {
                  await adjustPoints(h.ctx, org.id, customer.id, { direction: 'deduct', points: op.points, reason: 'model' }, actor);
                } else {
                  await withTx(h.ctx.db, async (tx) => {
                    const c = await lockForChange(tx, org.id, customer.id);
                    await debit(tx, h.ctx, { orgId: org.id, customer: c, kind: 'redeem', points: op.points, mode: 'strict', reason: 'model redeem', explanation: 'model', actor, at: h.clock.now() });
                  });
                }
                expect(ok).toBe(true);
                m.take(op.points, null);
              } catch (err) {
                expect(ok).toBe(false);
                expect((err as AppError).code).toBe('POINTS_INSUFFICIENT');
              }
              break;
            }
            case 'advance':
              h.clock.advance(op.days * DAY);
              await runPointsMaintenance(h.ctx, org.id);
              m.tick(h.clock.now().getTime());
              break;
          }
          const row = await h.ctx.db.selectFrom('customers').selectAll().where('org_id', '=', org.id).where('id', '=', customer.id).executeTakeFirstOrThrow();
          expect(row.points_active).toBe(m.active);
          expect(row.points_pending).toBe(m.pending);
          if (policy.clawback === 'clamp') expect(row.points_active).toBeGreaterThanOrEqual(0);
          expect(row.points_earned - row.points_redeemed - row.points_expired - row.points_reversed + row.points_adjusted).toBe(row.points_active + row.points_pending);
          const report = await verifyLedger(h.ctx.db, org.id);
          expect(report.mismatches).toEqual([]);
        }
      }),
      { numRuns: RUNS },
    );
  }, 1_200_000);
});
