import { FixedClock, type Actor, type AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { upsertCustomer } from '../customers/index.js';
import { changeMembership } from '../membership/index.js';
import { saveNote } from '../notes/index.js';
import { recordOrder, refundOrder } from '../orders/index.js';
import { adjustPoints } from '../points/index.js';
import { createReferral } from '../referrals/index.js';
import { getReferral } from '../referrals/index.js';
import { giveReward, redeemReward, revokeCoupon } from '../rewards/index.js';
import { createReward } from '../rewards/index.js';
import { triggerCustomAction } from '../rules/index.js';
import { assignTier } from '../tiers/index.js';
import { listTierViews } from '../tiers/index.js';

const FIRST = ['Olivia', 'Liam', 'Emma', 'Noah', 'Ava', 'Elijah', 'Sophia', 'Mateo', 'Isabella', 'Lucas', 'Mia', 'Levi', 'Amelia', 'Ethan', 'Harper', 'James', 'Evelyn', 'Aiden', 'Camila', 'Leo', 'Priya', 'Kenji', 'Fatima', 'Jonas', 'Chloé', 'Diego', 'Aisha', 'Mateus', 'Yuki', 'Zoe'];
const LAST = ['Smith', 'Johnson', 'Garcia', 'Martinez', 'Brown', 'Davis', 'Lopez', 'Wilson', 'Anderson', 'Thomas', 'Nguyen', 'Patel', 'Kim', 'Müller', 'Rossi', 'Dubois', 'Silva', 'Cohen', 'Okafor', "O'Brien", 'Novak', 'Sato', 'Haddad', 'Larsen'];
const DOMAINS = ['gmail.com', 'outlook.com', 'yahoo.com', 'icloud.com', 'proton.me', 'fastmail.com'];
const DAY = 86_400_000;
const HISTORY_DAYS = 450;

/** Deterministic pseudo-random numbers, so every demo database tells the same stories. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Step {
  at: number;
  run: () => Promise<unknown>;
}

/**
 * A few hundred customers with 15 months of realistic history: sign-ups, orders (some
 * refunded), tier upgrades from spend, redemptions and a revoked coupon, goodwill
 * adjustments, Instagram follows, referrals that complete on the friend's first order,
 * notes, a member who left and a VIP assigned by hand. Every step goes through the same
 * services as the API, on a clock that walks forward through the history and stops at the
 * present: each event is dated when it happened (an order's timeline time is its placed
 * time) and nothing is dated in the future.
 */
export async function seedDemoCustomers(base: AppContext, orgId: string, opts: { customers?: number; adminName?: string } = {}): Promise<void> {
  const rnd = mulberry32(20261124);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const end = base.clock.now().getTime();
  // A little over a year, so last year's customers can be compared with this year's (retention).
  const start = end - HISTORY_DAYS * DAY;
  const clock = new FixedClock(new Date(start));
  const ctx: AppContext = { ...base, clock };
  const sync: Actor = { type: 'api_key', id: null, name: 'API key Storefront sync' };
  const staff: Actor = { type: 'user', id: null, name: opts.adminName ?? 'Dana Admin' };

  const fiveOff = await createReward(ctx, orgId, { type: 'fixed_amount', name: '$5 off your order', pointsCost: 500, value: { amount: '5.00', currency: 'USD' }, couponValidityDays: 90 });
  const tenPct = await createReward(ctx, orgId, { type: 'percentage', name: '10% off', pointsCost: 1000, percentOff: '10', minimumOrder: { amount: '50.00', currency: 'USD' }, couponValidityDays: 60 });
  await createReward(ctx, orgId, { type: 'free_shipping', name: 'Free shipping', pointsCost: 300, couponValidityDays: 30 });
  const count = opts.customers ?? 240;
  const ids: string[] = [];
  const steps: Step[] = [];
  const attempt = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      if (!(err instanceof AppError)) throw err; // refusals (not enough points, limits) are part of life
    }
  };

  for (let i = 0; i < count; i++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    const joined = start + Math.floor(rnd() * (HISTORY_DAYS - 65)) * DAY + Math.floor(rnd() * DAY);
    const after = (at: number) => Math.max(at, joined + DAY);
    const registered = rnd() < 0.85;
    const email = `${first}.${last}${i}`.toLowerCase().normalize('NFD').replace(/[^a-z0-9.]/g, '') + `@${pick(DOMAINS)}`;
    const birthday = rnd() < 0.7 ? `${1965 + Math.floor(rnd() * 40)}-${String(1 + Math.floor(rnd() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rnd() * 28)).padStart(2, '0')}` : null;
    steps.push({
      at: joined,
      run: async () => {
        const r = await upsertCustomer(ctx, orgId, {
          externalId: String(7_000_000_000_000 + i * 7919),
          email,
          firstName: first,
          lastName: last,
          phone: rnd() < 0.6 ? `+1 ${200 + Math.floor(rnd() * 700)} 555 ${String(1000 + i).slice(-4)}` : null,
          accountState: registered ? 'registered' : 'guest',
          emailVerified: registered && rnd() < 0.8,
          birthday,
        }, sync);
        ids[i] = r.customer.id;
      },
    });
    const orders = Math.floor(rnd() * rnd() * 10);
    for (let k = 0; k < orders; k++) {
      const at = joined + Math.floor(rnd() * (end - joined));
      const cents = 1500 + Math.floor(rnd() * rnd() * 40000);
      const key = `#${1000 + i * 10 + k}`;
      const refund = rnd() < 0.1 && at + 3 * DAY < end;
      let orderId: string | null = null;
      steps.push({
        at,
        run: () =>
          attempt(async () => {
            const o = await recordOrder(ctx, orgId, { externalId: key, customerId: ids[i], total: { amount: (cents / 100).toFixed(2), currency: 'USD' }, placedAt: new Date(at).toISOString() }, sync);
            orderId = o.order.id;
          }),
      });
      if (refund) {
        steps.push({
          at: at + 3 * DAY,
          run: () =>
            attempt(async () => {
              if (orderId) await refundOrder(ctx, orgId, orderId, { amount: { amount: (Math.floor(cents / 3) / 100).toFixed(2), currency: 'USD' }, refundId: `r-${key}`, reason: 'Returned one item' }, sync);
            }),
        });
      }
    }
    if (rnd() < 0.2) {
      steps.push({ at: after(end - Math.floor(rnd() * 120) * DAY), run: () => attempt(() => redeemReward(ctx, orgId, ids[i]!, { rewardId: rnd() < 0.7 ? fiveOff.id : tenPct.id }, sync)) });
    }
    if (rnd() < 0.15) steps.push({ at: joined + 2 * DAY, run: () => attempt(() => triggerCustomAction(ctx, orgId, ids[i]!, 'instagram_follow', sync)) });
    if (rnd() < 0.06) {
      steps.push({ at: after(end - Math.floor(rnd() * 200) * DAY), run: () => attempt(() => adjustPoints(ctx, orgId, ids[i]!, { direction: 'add', points: 150, reason: 'Goodwill: parcel arrived late', customerMessage: 'Sorry your parcel was late - here are 150 points on us.', countsTowardTier: false }, staff)) });
    }
    if (i > 10 && rnd() < 0.08) {
      const referrer = Math.floor(rnd() * i);
      steps.push({
        at: joined + DAY / 2,
        run: () =>
          attempt(async () => {
            const referrerId = ids[referrer];
            const friendId = ids[i];
            if (!referrerId || !friendId) return;
            const link = await getReferral(ctx, orgId, referrerId);
            if (link.code) await createReferral(ctx, orgId, { code: link.code, friendCustomerId: friendId }, sync);
          }),
      });
    }
  }
  // A few hand-made stories for the support team to find, in their place in the history.
  const story = end - 20 * DAY;
  steps.push({
    at: story,
    run: async () => {
      const gold = (await listTierViews(ctx.db, orgId)).find((t) => t.name === 'Gold');
      if (gold && ids[3]) await attempt(() => assignTier(ctx, orgId, ids[3]!, { tierId: gold.id, reason: 'VIP partner' }, staff));
      if (ids[5]) await attempt(() => saveNote(ctx, orgId, ids[5]!, 'Prefers contact by email. Asked about the Gold tier on the phone.', staff));
      if (ids[8]) await attempt(() => changeMembership(ctx, orgId, ids[8]!, 'left', staff));
    },
  });
  let gift: string | null = null;
  if (count > 12) {
    steps.push({ at: story, run: () => attempt(async () => (gift = (await giveReward(ctx, orgId, ids[12]!, { rewardId: fiveOff.id, deductPoints: false }, staff)).coupon.id)) });
    steps.push({ at: story + DAY, run: () => attempt(async () => gift && (await revokeCoupon(ctx, orgId, gift, 'Issued by mistake', staff))) });
  }
  steps.sort((a, b) => a.at - b.at);
  for (const s of steps) {
    clock.set(new Date(Math.min(Math.max(s.at, clock.now().getTime()), end)));
    await s.run();
  }
  clock.set(new Date(end));
}
