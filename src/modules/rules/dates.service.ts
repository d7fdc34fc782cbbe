import { SYSTEM_ACTOR, type AppContext } from '../../context.js';
import { withTx } from '../../db/tx.js';
import { isAnniversaryToday, isLeapYear, localDateInTimeZone, parseIsoDate } from '../../core/dates.js';
import { canEarn } from '../../core/membership.js';
import { findEntryByUniqueKey, lockCustomer } from '../points/index.js';
import { getProgram } from '../program/index.js';
import { tierBirthdayOverride } from '../tiers/index.js';
import { creditRule, plural } from './rules.earn.js';
import * as repo from './rules.repo.js';
import type { RuleRow } from './rules.repo.js';
import { activeRule } from './rules.service.js';

const BATCH = 200;
type DateKind = 'birthday' | 'anniversary';

/**
 * The daily birthday and anniversary rewards of one organization ('rules.dates'), on the
 * organization's local date. A customer earns each at most once per calendar year
 * (unique key `birthday:<customerId>:<year>`), however often the date is edited and
 * however often this runs. A tier's birthday points replace the rule's.
 */
export async function runDateRewards(ctx: AppContext, orgId: string) {
  const timezone = await repo.orgTimezone(ctx.db, orgId);
  const now = ctx.clock.now();
  const today = localDateInTimeZone(now, timezone);
  const t = parseIsoDate(today)!;
  // Feb 29 dates are celebrated on Feb 28 in non-leap years.
  const days = t.month === 2 && t.day === 28 && !isLeapYear(t.year) ? [28, 29] : [t.day];
  const program = await getProgram(ctx.db, orgId);
  const result = { date: today, birthdays: 0, anniversaries: 0, points: 0 };
  for (const kind of ['birthday', 'anniversary'] as const) {
    const rule = await activeRule(ctx.db, orgId, kind);
    if (!rule) continue;
    let after: string | null = null;
    for (;;) {
      const batch = await repo.dateCandidates(ctx.db, orgId, { column: kind, month: t.month, days, keyPrefix: `${kind}:`, year: t.year, afterId: after, limit: BATCH });
      for (const c of batch) {
        const points = await rewardOne(ctx, orgId, c.id, kind, rule, today, t.year, program.guestEarning);
        if (points > 0) {
          result[kind === 'birthday' ? 'birthdays' : 'anniversaries']++;
          result.points += points;
        }
      }
      if (batch.length < BATCH) break;
      after = batch[batch.length - 1]!.id;
    }
  }
  return result;
}

async function rewardOne(ctx: AppContext, orgId: string, customerId: string, kind: DateKind, rule: RuleRow, today: string, year: number, guestEarning: boolean): Promise<number> {
  return withTx(ctx.db, async (tx) => {
    const customer = await lockCustomer(tx, orgId, customerId);
    if (!customer || customer.anonymized_at) return 0;
    const date = customer[kind];
    if (!date || !isAnniversaryToday(date, today)) return 0;
    if (!canEarn(customer.membership_type, { guestEarning })) return 0;
    const uniqueKey = `${kind}:${customerId}:${year}`;
    if (await findEntryByUniqueKey(tx, orgId, uniqueKey)) return 0;
    const override = kind === 'birthday' ? await tierBirthdayOverride(tx, orgId, customer.tier_id) : null;
    const points = override ? override.points : rule.points;
    if (points <= 0) return 0;
    const label = kind === 'birthday' ? 'birthday' : 'anniversary';
    const why = override ? ` (${override.tierName} tier gives ${plural(points)} instead of ${rule.points})` : '';
    await creditRule(tx, ctx, {
      customer,
      rule,
      points,
      uniqueKey,
      sourceType: 'earning_rule',
      explanation: `${plural(points)}: ${label} rule "${rule.name}" for ${year}${why}, at most once per calendar year`,
      actor: SYSTEM_ACTOR,
      at: ctx.clock.now(),
      activityType: 'rule.earned',
      activitySummary: `${kind === 'birthday' ? 'Birthday' : 'Anniversary'} reward for ${year}: ${plural(points)}`,
    });
    return points;
  });
}
