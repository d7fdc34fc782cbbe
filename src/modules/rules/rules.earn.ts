import type { Actor, AppContext } from '../../context.js';
import type { Tx } from '../../db/tx.js';
import { reaction } from '../../events/types.js';
import { credit } from '../points/index.js';
import { findEntryByUniqueKey, type CustomerRow, type EntryRow } from '../points/index.js';
import { expiryFor } from '../points/index.js';
import { getProgram } from '../program/index.js';
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
 * with its timeline event; the ledger announces points.earned (naming the rule), to which
 * tiers react.
 */
export async function creditRule(tx: Tx, ctx: AppContext, c: RuleCredit): Promise<EntryRow> {
  const orgId = c.customer.org_id;
  const program = await getProgram(tx, orgId);
  const balanceAfter = c.customer.points_active + c.points;
  return credit(tx, ctx, {
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
    ruleId: c.rule.id,
    also: {
      activity: [
        {
          orgId,
          customerId: c.customer.id,
          type: c.activityType,
          actor: c.actor,
          summary: c.activitySummary,
          payload: { ruleId: c.rule.id, ruleKind: c.rule.kind, ruleKey: c.rule.key, points: c.points, balanceAfter },
          at: c.at,
        },
      ],
    },
  });
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

/** A customer created as a member earns the signup rule in the creating transaction. */
export const rulesReactions = [
  reaction('customer.created', 'rules.signup-points', async (tx, ctx, e, scope) => {
    if (scope.customer) await creditSignup(tx, ctx, scope.customer, scope.actor, scope.at);
  }),
];
