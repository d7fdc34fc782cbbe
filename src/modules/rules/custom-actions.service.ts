import type { Actor, AppContext } from '../../context.js';
import { withTx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { canEarn } from '../../core/membership.js';
import { emit } from '../../events/emit.js';
import { recordActivity } from '../activity/index.js';
import { debit } from '../points/index.js';
import { findEntry, findEntryByUniqueKey } from '../points/index.js';
import { balancesOf, lockForChange, toEntryView } from '../points/index.js';
import { getProgram } from '../program/index.js';
import { creditRule, plural } from './rules.earn.js';
import * as repo from './rules.repo.js';

/**
 * Staff trigger a custom action (e.g. instagram_follow) for a customer: the rule's points
 * as an earn_rule entry, within the rule's per-customer limit (removed ones do not count).
 */
export async function triggerCustomAction(ctx: AppContext, orgId: string, customerId: string, actionKey: string, actor: Actor) {
  const program = await getProgram(ctx.db, orgId);
  return withTx(ctx.db, async (tx) => {
    const customer = await lockForChange(tx, orgId, customerId);
    const rule = await repo.findRuleByKey(tx, orgId, 'custom_action', actionKey);
    if (!rule) throw new AppError('NOT_FOUND', `No custom action rule with key "${actionKey}"; create it under /api/v1/earning-rules first`, { actionKey });
    if (!rule.active) throw new AppError('RULE_REFUSED', `The custom action "${actionKey}" is paused (inactive); activate the rule to use it`, { actionKey, ruleId: rule.id });
    if (!canEarn(customer.membership_type, { guestEarning: program.guestEarning })) {
      const why = customer.membership_type === 'left' ? 'this customer left the program' : 'guests do not earn in this program';
      throw new AppError('MEMBERSHIP_RESTRICTED', `No points can be earned: ${why}. Change the membership type first`, { membershipType: customer.membership_type });
    }
    const usage = await repo.customActionUsage(tx, orgId, customerId, rule.id);
    const used = usage.triggers - usage.removals;
    if (rule.per_customer_limit !== null && used >= rule.per_customer_limit) {
      throw new AppError(
        'CUSTOM_ACTION_LIMIT_REACHED',
        `This customer already has "${rule.name}" ${used} time(s); the limit is ${rule.per_customer_limit} per customer. Remove an earlier one first if it was a mistake`,
        { actionKey, timesUsed: used, limit: rule.per_customer_limit },
      );
    }
    const at = ctx.clock.now();
    const entry = await creditRule(tx, ctx, {
      customer,
      rule,
      points: rule.points,
      uniqueKey: `custom_action:${customerId}:${rule.id}:${usage.triggers + 1}`,
      sourceType: 'custom_action',
      explanation: `${plural(rule.points)}: custom action "${rule.key}" (${rule.name}) triggered by ${actor.name}`,
      actor,
      at,
      activityType: 'custom_action.triggered',
      activitySummary: `Custom action "${rule.name}" triggered: ${plural(rule.points)}`,
    });
    return { entry: toEntryView(entry), balances: balancesOf(customer), timesUsed: used + 1, limit: rule.per_customer_limit };
  });
}

/**
 * Removes a triggered custom action: takes its points back (rule_reversal) once. When the
 * points were already spent, the clawback policy decides: allow_negative lets the balance
 * go below zero; otherwise the removal is refused with what is missing.
 */
export async function removeCustomAction(ctx: AppContext, orgId: string, customerId: string, entryId: string, actor: Actor) {
  const program = await getProgram(ctx.db, orgId);
  return withTx(ctx.db, async (tx) => {
    const customer = await lockForChange(tx, orgId, customerId);
    const original = await findEntry(tx, orgId, customerId, entryId);
    if (!original || original.kind !== 'earn_rule' || original.source_type !== 'custom_action' || !original.source_id) {
      throw AppError.notFound('Custom action entry', entryId);
    }
    const uniqueKey = `custom_action_removal:${entryId}`;
    const done = await findEntryByUniqueKey(tx, orgId, uniqueKey);
    if (done) {
      throw new AppError('CONFLICT', `This custom action was already removed on ${done.created_at.toISOString()} by ${done.actor_name ?? done.actor_type}`, {
        entryId,
        removalEntryId: done.id,
      });
    }
    const points = original.points;
    const available = customer.points_active;
    const allowNegative = program.clawbackPolicy === 'allow_negative';
    if (points > available && !allowNegative) {
      throw new AppError(
        'POINTS_INSUFFICIENT',
        `The ${plural(points)} from this action were already spent: the active balance is ${available}, so removing it needs ${points - available} more. The program's clawback policy keeps balances at zero or above; add points first or set clawbackPolicy to allow_negative`,
        { balance: available, amount: points, missing: points - available },
      );
    }
    const rule = await repo.findRule(tx, orgId, original.source_id);
    const lot = await repo.lotOfEntry(tx, orgId, entryId);
    const at = ctx.clock.now();
    const name = rule?.name ?? original.reason;
    const { entry } = await debit(tx, ctx, {
      orgId,
      customer,
      kind: 'rule_reversal',
      points,
      mode: allowNegative ? 'allow_negative' : 'strict',
      preferLotIds: lot ? [lot.id] : [],
      reason: `Custom action removed: ${name}`,
      customerMessage: `${name}: ${plural(points)} removed`,
      countsTowardTier: original.counts_toward_tier,
      explanation: `-${plural(points)}: custom action "${name}" removed by ${actor.name} (reverses entry ${entryId})`,
      sourceType: 'custom_action',
      sourceId: original.source_id,
      uniqueKey,
      actor,
      at,
    });
    if (!entry) throw new Error(`removal of custom action entry ${entryId} debited nothing`);
    await recordActivity(tx, {
      orgId,
      customerId,
      type: 'custom_action.removed',
      actor,
      summary: `Custom action "${name}" removed: -${plural(points)}`,
      payload: { entryId: entry.id, removedEntryId: entryId, ruleId: original.source_id, points, balanceAfter: entry.balance_after },
      at,
    });
    await emit(tx, ctx, { type: 'custom_action.removed', orgId, payload: { customerId, entryId: entry.id, removedEntryId: entryId, points } }, { actor, at, customer });
    return { entry: toEntryView(entry), balances: balancesOf(customer) };
  });
}
