import type { AppContext } from '../../context.js';
import { newId } from '../../db/ids.js';
import { withTx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { MoneyFormatError, parseMoney } from '../../core/money.js';
import { normalizeCode } from '../../core/codes.js';
import type { RewardCreate, RewardPatch } from './rewards.schemas.js';
import * as repo from './rewards.repo.js';
import type { RewardRow } from './rewards.repo.js';
import type { RewardType } from './rewards.tables.js';
import { REWARD_LABELS, toRewardView } from './rewards.views.js';
import { keysetPage } from '../../db/paging.js';

function toMinor(field: string, m: { amount: string; currency: string } | null | undefined, currency: string): number | null | undefined {
  if (m === undefined || m === null) return m;
  if (m.currency !== currency) {
    throw new AppError('RULE_REFUSED', `${field}: rewards are priced in the organization currency ${currency}, not ${m.currency}`, { field: `${field}.currency` });
  }
  try {
    const minor = parseMoney(m.amount, currency);
    if (minor > BigInt(Number.MAX_SAFE_INTEGER)) throw AppError.validation(`${field}.amount`, 'is too large');
    return Number(minor);
  } catch (err) {
    if (err instanceof MoneyFormatError) throw AppError.validation(`${field}.amount`, err.reason);
    throw err;
  }
}

type Shape = Pick<RewardRow, 'type' | 'points_cost' | 'value_minor' | 'value_percent' | 'product_ref' | 'max_points'>;

/** Each reward type needs its own fields and refuses the others; the message names the field. */
function checkShape(s: Shape): void {
  const label = REWARD_LABELS[s.type];
  const moneyTypes: RewardType[] = ['fixed_amount', 'cart_fixed_amount', 'price_adjustment', 'variable'];
  if (moneyTypes.includes(s.type) && s.value_minor === null) {
    const what = s.type === 'variable' ? `the value of each ${s.points_cost} points` : 'the discount';
    throw AppError.validation('value', `is required for ${label} rewards: ${what}, e.g. {"amount": "5.00", "currency": "USD"}`);
  }
  if (s.value_minor !== null && s.value_minor <= 0) throw AppError.validation('value.amount', 'must be more than zero, e.g. "5.00"');
  if (s.type === 'percentage' && s.value_percent === null) throw AppError.validation('percentOff', 'is required for percentage rewards, e.g. "10"');
  if (s.type !== 'percentage' && s.value_percent !== null) throw AppError.validation('percentOff', `only applies to percentage rewards, not ${label}`);
  if (s.type === 'percentage' && s.value_minor !== null) throw AppError.validation('value', 'does not apply to percentage rewards; use percentOff');
  if (s.type === 'free_product' && s.product_ref === null) throw AppError.validation('productRef', 'is required for free product rewards: the store product to give');
  if (s.type !== 'free_product' && s.product_ref !== null) throw AppError.validation('productRef', `only applies to free product rewards, not ${label}`);
  if (s.type !== 'variable' && s.max_points !== null) throw AppError.validation('maxPoints', `only applies to variable rewards, not ${label}`);
  if (s.type === 'variable' && s.max_points !== null && s.max_points < s.points_cost) {
    throw AppError.validation('maxPoints', `must be at least pointsCost (${s.points_cost})`);
  }
  if (s.value_percent !== null && (Number(s.value_percent) <= 0 || Number(s.value_percent) > 100)) {
    throw AppError.validation('percentOff', 'must be more than 0 and at most 100');
  }
}

export async function createReward(ctx: AppContext, orgId: string, input: RewardCreate) {
  const currency = await repo.orgCurrency(ctx.db, orgId);
  const now = ctx.clock.now();
  const row = {
    org_id: orgId,
    id: newId(now.getTime()),
    name: input.name,
    type: input.type,
    points_cost: input.pointsCost,
    value_minor: toMinor('value', input.value, currency) ?? null,
    value_percent: input.percentOff ?? null,
    product_ref: input.productRef ?? null,
    max_points: input.maxPoints ?? null,
    min_order_minor: toMinor('minimumOrder', input.minimumOrder, currency) ?? null,
    coupon_validity_days: input.couponValidityDays ?? null,
    code_prefix: input.codePrefix ? normalizeCode(input.codePrefix) : null,
    active: input.active ?? true,
    created_at: now,
    updated_at: now,
  };
  checkShape(row);
  return toRewardView(await repo.insertReward(ctx.db, row), currency);
}

export async function getReward(ctx: AppContext, orgId: string, id: string) {
  const row = await repo.findReward(ctx.db, orgId, id);
  if (!row) throw AppError.notFound('Reward', id);
  return toRewardView(row, await repo.orgCurrency(ctx.db, orgId));
}

export async function listRewards(ctx: AppContext, orgId: string, opts: { limit: number; after: string | null; active?: boolean | undefined }) {
  const currency = await repo.orgCurrency(ctx.db, orgId);
  const { page, next } = await keysetPage(opts.limit, (limit) => repo.listRewards(ctx.db, orgId, { ...opts, limit }), (last) => last.id);
  return { items: page.map((r) => toRewardView(r, currency)), next };
}

export async function updateReward(ctx: AppContext, orgId: string, id: string, patch: RewardPatch) {
  const currency = await repo.orgCurrency(ctx.db, orgId);
  return withTx(ctx.db, async (tx) => {
    const current = await repo.findReward(tx, orgId, id);
    if (!current) throw AppError.notFound('Reward', id);
    const set = {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.pointsCost !== undefined ? { points_cost: patch.pointsCost } : {}),
      ...(patch.value !== undefined ? { value_minor: toMinor('value', patch.value, currency) ?? null } : {}),
      ...(patch.percentOff !== undefined ? { value_percent: patch.percentOff } : {}),
      ...(patch.productRef !== undefined ? { product_ref: patch.productRef } : {}),
      ...(patch.maxPoints !== undefined ? { max_points: patch.maxPoints } : {}),
      ...(patch.minimumOrder !== undefined ? { min_order_minor: toMinor('minimumOrder', patch.minimumOrder, currency) ?? null } : {}),
      ...(patch.couponValidityDays !== undefined ? { coupon_validity_days: patch.couponValidityDays } : {}),
      ...(patch.codePrefix !== undefined ? { code_prefix: patch.codePrefix ? normalizeCode(patch.codePrefix) : null } : {}),
      ...(patch.active !== undefined ? { active: patch.active } : {}),
    };
    checkShape({ ...current, ...set });
    return toRewardView(await repo.updateReward(tx, orgId, id, { ...set, updated_at: ctx.clock.now() }), currency);
  });
}

export async function deleteReward(ctx: AppContext, orgId: string, id: string): Promise<void> {
  await withTx(ctx.db, async (tx) => {
    const current = await repo.findReward(tx, orgId, id);
    if (!current) throw AppError.notFound('Reward', id);
    if (await repo.rewardHasCoupons(tx, orgId, id)) {
      throw new AppError('CONFLICT', `Reward "${current.name}" has issued coupons, so it stays in their history; set active to false instead`, { id });
    }
    await repo.deleteReward(tx, orgId, id);
  });
}
