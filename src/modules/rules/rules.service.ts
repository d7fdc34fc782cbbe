import type { AppContext } from '../../context.js';
import { newId } from '../../db/ids.js';
import { isUniqueViolation, withTx, type Executor } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { compareDecimal } from '../../core/money.js';
import * as repo from './rules.repo.js';
import type { RuleRow } from './rules.repo.js';
import { ruleConfigSchema, type EarningRuleView, type RuleCreate, type RulePatch } from './rules.schemas.js';
import type { EarningRuleKind } from './rules.tables.js';
import { keysetPage } from '../../db/paging.js';

type RuleConfig = EarningRuleView['config'];

function configOf(row: RuleRow): RuleConfig {
  const raw: unknown = typeof row.config === 'string' ? JSON.parse(row.config) : row.config;
  const parsed = ruleConfigSchema.safeParse(raw);
  return parsed.success ? parsed.data : {};
}

export function toRuleView(row: RuleRow): EarningRuleView {
  return {
    id: row.id,
    kind: row.kind,
    key: row.key,
    name: row.name,
    points: row.points,
    active: row.active,
    perCustomerLimit: row.per_customer_limit,
    config: configOf(row),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function validate(kind: EarningRuleKind, input: { points?: number | undefined; perCustomerLimit?: number | null | undefined; config?: RuleConfig | undefined }): void {
  if (input.points !== undefined && input.points < 1 && kind !== 'referral') {
    throw AppError.validation('points', `must be at least 1 for a ${kind} rule (set active to false to pause it)`);
  }
  if (input.perCustomerLimit != null && kind !== 'custom_action') {
    throw AppError.validation('perCustomerLimit', `only custom_action rules have a per-customer limit (${kind} rules reward at most once per customer or year)`);
  }
  const fd = input.config?.friendDiscount;
  if (fd && kind !== 'referral') throw AppError.validation('config.friendDiscount', 'only referral rules give the friend a discount');
  if (fd) {
    if (fd.type !== 'free_shipping' && fd.value === undefined) throw AppError.validation('config.friendDiscount.value', `is required for a ${fd.type} discount`);
    if (fd.type === 'percentage' && fd.value !== undefined && (compareDecimal(fd.value, '100') > 0 || compareDecimal(fd.value, '0') <= 0)) {
      throw AppError.validation('config.friendDiscount.value', 'must be a percentage above 0 and at most 100');
    }
  }
}

export async function listRuleViews(db: Executor, orgId: string, afterId: string | null, limit: number) {
  const { page, next } = await keysetPage(limit, (n) => repo.listRules(db, orgId, afterId, n), (last) => last.id);
  return { items: page.map(toRuleView), lastId: next };
}

export async function getRule(db: Executor, orgId: string, id: string): Promise<EarningRuleView> {
  const row = await repo.findRule(db, orgId, id);
  if (!row) throw AppError.notFound('Earning rule', id);
  return toRuleView(row);
}

export async function createRule(ctx: AppContext, orgId: string, input: RuleCreate): Promise<EarningRuleView> {
  if (input.kind === 'custom_action' && !input.key) throw AppError.validation('key', 'is required for a custom_action rule, e.g. instagram_follow');
  const key = input.kind === 'custom_action' ? input.key! : input.kind;
  validate(input.kind, input);
  return withTx(ctx.db, async (tx) => {
    const existing = await repo.findRuleByKey(tx, orgId, input.kind, key);
    if (existing) {
      const what = input.kind === 'custom_action' ? `A custom action rule with key "${key}"` : `A ${input.kind} rule`;
      throw new AppError('ALREADY_EXISTS', `${what} already exists (${existing.id}); change that one instead`, { id: existing.id, field: 'key' });
    }
    const now = ctx.clock.now();
    const row = await repo
      .insertRule(tx, {
        org_id: orgId,
        id: newId(now.getTime()),
        kind: input.kind,
        key,
        name: input.name,
        points: input.points,
        active: input.active ?? true,
        per_customer_limit: input.perCustomerLimit ?? null,
        config: JSON.stringify(input.config ?? {}),
        created_at: now,
        updated_at: now,
      })
      .catch((err: unknown) => {
        if (isUniqueViolation(err)) throw new AppError('ALREADY_EXISTS', 'This earning rule already exists', { field: 'key' });
        throw err;
      });
    return toRuleView(row);
  });
}

export async function updateRule(ctx: AppContext, orgId: string, id: string, patch: RulePatch): Promise<EarningRuleView> {
  return withTx(ctx.db, async (tx) => {
    const existing = await repo.findRule(tx, orgId, id);
    if (!existing) throw AppError.notFound('Earning rule', id);
    validate(existing.kind, patch);
    const row = await repo.updateRule(tx, orgId, id, {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.points !== undefined ? { points: patch.points } : {}),
      ...(patch.active !== undefined ? { active: patch.active } : {}),
      ...(patch.perCustomerLimit !== undefined ? { per_customer_limit: patch.perCustomerLimit } : {}),
      ...(patch.config !== undefined ? { config: JSON.stringify(patch.config) } : {}),
      updated_at: ctx.clock.now(),
    });
    return toRuleView(row);
  });
}

/** Deletes the rule; points already earned stay in the ledger (their entries name the rule id). */
export async function deleteRule(ctx: AppContext, orgId: string, id: string): Promise<void> {
  await withTx(ctx.db, async (tx) => {
    const existing = await repo.findRule(tx, orgId, id);
    if (!existing) throw AppError.notFound('Earning rule', id);
    await repo.deleteRule(tx, orgId, id);
  });
}

/** The active rule of a kind (signup, birthday, anniversary, referral), or null. */
export async function activeRule(db: Executor, orgId: string, kind: Exclude<EarningRuleKind, 'custom_action'>): Promise<RuleRow | null> {
  const row = await repo.findRuleByKey(db, orgId, kind, kind);
  return row && row.active ? row : null;
}
