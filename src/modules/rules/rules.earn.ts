import type { Actor, AppContext } from '../../context.js';
import type { Tx } from '../../db/tx.js';
import { recordActivity } from '../activity/activity.repo.js';
import { customerHooks } from '../customers/customers.service.js';
import { emitEvent } from '../events/events.repo.js';
import { credit } from '../points/points.ledger.js';
import { findEntryByUniqueKey, type CustomerRow, type EntryRow } from '../points/points.repo.js';
import { expiryFor, ledgerHooks } from '../points/points.service.js';
import { getProgram } from '../program/program.service.js';
import type { RuleRow } from './rules.repo.js';
import { activeRule } from './rules.service.js';

export const plural = (n: number) => `${n} point${n === 1 ? '' : 's'}`;

export interface RuleCredit {
  customer: CustomerRow;
  rule: RuleRow;
  points: number;
  /** Business uniqueness (signup:<id>, birthday:<id>:<year>, ...): checked by the caller, enforced by the schema. */
  uniqueKey: string;
  sourceType: 'earning_rule' | 'custom_action';
  explanation: string;
  actor: Actor;
  at: Date;
  activityType: string;
  activitySummary: string;
}

/**
 * Credits an earning rule's points on a locked customer (earn_rule, counts toward tier),
 * with its timeline event and outbound event, then lets tiers re-evaluate.
 */
export async function creditRule(tx: Tx, ctx: AppContext, c: RuleCredit): Promise<EntryRow> {
  const orgId = c.customer.org_id;
  const program = await getProgram(tx, orgId);
  const entry = await credit(tx, {
    orgId,
    customer: c.customer,
    kind: 'earn_rule',
    points: c.points,
    reason: c.rule.name,
    customerMessage: `${c.rule.name}: ${plural(c.points)}`,
    countsTowardTier: true,
    explanation: c.explanation,
    sourceType: c.sourceType,
    sourceId: c.rule.id,
    uniqueKey: c.uniqueKey,
    actor: c.actor,
    at: c.at,
    expiresAt: expiryFor(program, c.at),
  });
  await recordActivity(tx, {
    orgId,
    customerId: c.customer.id,
    type: c.activityType,
    actor: c.actor,
    summary: c.activitySummary,
    payload: { entryId: entry.id, ruleId: c.rule.id, ruleKind: c.rule.kind, ruleKey: c.rule.key, points: c.points, balanceAfter: entry.balance_after },
    at: c.at,
  });
  await emitEvent(tx, { orgId, type: 'points.earned', payload: { customerId: c.customer.id, entryId: entry.id, ruleId: c.rule.id, points: c.points }, at: c.at });
  await ledgerHooks.afterTierRelevantChange(tx, ctx, c.customer, { entry, orderId: null }, c.actor);
  return entry;
}

/** The signup rule, once per customer ever (signup:<id>), when they are a member. */
export async function creditSignup(tx: Tx, ctx: AppContext, customer: CustomerRow, actor: Actor, at: Date): Promise<EntryRow | null> {
  if (customer.membership_type !== 'member') return null;
  const rule = await activeRule(tx, customer.org_id, 'signup');
  if (!rule || rule.points <= 0) return null;
  const uniqueKey = `signup:${customer.id}`;
  if (await findEntryByUniqueKey(tx, customer.org_id, uniqueKey)) return null;
  return creditRule(tx, ctx, {
    customer,
    rule,
    points: rule.points,
    uniqueKey,
    sourceType: 'earning_rule',
    explanation: `${plural(rule.points)}: signup rule "${rule.name}" (once per customer)`,
    actor,
    at,
    activityType: 'rule.earned',
    activitySummary: `${plural(rule.points)} for joining the program (${rule.name})`,
  });
}

// A customer created as a member earns the signup rule in the creating transaction.
customerHooks.afterCreated.push(async (tx, ctx, customer, actor, at) => {
  await creditSignup(tx, ctx, customer, actor, at);
});
