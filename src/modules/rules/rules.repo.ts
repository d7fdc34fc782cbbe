import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Executor } from '../../db/tx.js';
import type { EarningRuleKind, EarningRulesTable } from './rules.tables.js';

export type RuleRow = Selectable<EarningRulesTable>;

export function listRules(db: Executor, orgId: string, afterId: string | null, limit: number): Promise<RuleRow[]> {
  return db
    .selectFrom('earning_rules')
    .selectAll()
    .where('org_id', '=', orgId)
    .$if(afterId !== null, (q) => q.where('id', '>', afterId!))
    .orderBy('id')
    .limit(limit)
    .execute();
}

export function findRule(db: Executor, orgId: string, id: string): Promise<RuleRow | undefined> {
  return db.selectFrom('earning_rules').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export function findRuleByKey(db: Executor, orgId: string, kind: EarningRuleKind, key: string): Promise<RuleRow | undefined> {
  return db.selectFrom('earning_rules').selectAll().where('org_id', '=', orgId).where('kind', '=', kind).where('key', '=', key).executeTakeFirst();
}

export async function insertRule(db: Executor, row: Insertable<EarningRulesTable>): Promise<RuleRow> {
  return db.insertInto('earning_rules').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updateRule(db: Executor, orgId: string, id: string, patch: Updateable<EarningRulesTable>): Promise<RuleRow> {
  return db.updateTable('earning_rules').set(patch).where('org_id', '=', orgId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function deleteRule(db: Executor, orgId: string, id: string): Promise<void> {
  await db.deleteFrom('earning_rules').where('org_id', '=', orgId).where('id', '=', id).execute();
}

/** Times a customer triggered a custom action rule, and how many of those were removed. */
export async function customActionUsage(db: Executor, orgId: string, customerId: string, ruleId: string): Promise<{ triggers: number; removals: number }> {
  const rows = await db
    .selectFrom('points_entries')
    .select(['kind', (eb) => eb.fn.countAll<number>().as('n')])
    .where('org_id', '=', orgId)
    .where('customer_id', '=', customerId)
    .where('source_type', '=', 'custom_action')
    .where('source_id', '=', ruleId)
    .groupBy('kind')
    .execute();
  const n = (kind: string) => Number(rows.find((r) => r.kind === kind)?.n ?? 0);
  return { triggers: n('earn_rule'), removals: n('rule_reversal') };
}

/** The lot a credit entry created (a removal takes its points back from it first). */
export function lotOfEntry(db: Executor, orgId: string, entryId: string) {
  return db.selectFrom('points_lots').select(['id']).where('org_id', '=', orgId).where('entry_id', '=', entryId).executeTakeFirst();
}

/**
 * Customers whose birthday (or anniversary) falls on this month and day (plus Feb 29 on
 * Feb 28 of a non-leap year) and who have no entry with the year's unique key yet.
 */
export function dateCandidates(
  db: Executor,
  orgId: string,
  opts: { column: 'birthday' | 'anniversary'; month: number; days: number[]; keyPrefix: string; year: number; afterId: string | null; limit: number },
) {
  const col = sql.ref(`customers.${opts.column}`);
  return db
    .selectFrom('customers')
    .select(['id', 'birthday', 'anniversary', 'membership_type', 'tier_id'])
    .where('org_id', '=', orgId)
    .where('anonymized_at', 'is', null)
    .where(opts.column, 'is not', null)
    .where(sql<number>`extract(month from ${col})`, '=', opts.month)
    .where(sql<number>`extract(day from ${col})`, 'in', opts.days)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('points_entries as pe')
            .select(sql`1`.as('one'))
            .whereRef('pe.org_id', '=', 'customers.org_id')
            .where('pe.unique_key', '=', sql<string>`${opts.keyPrefix} || customers.id || ${`:${opts.year}`}`),
        ),
      ),
    )
    .$if(opts.afterId !== null, (q) => q.where('id', '>', opts.afterId!))
    .orderBy('id')
    .limit(opts.limit)
    .execute();
}

export async function orgTimezone(db: Executor, orgId: string): Promise<string> {
  const org = await db.selectFrom('organizations').select('timezone').where('id', '=', orgId).executeTakeFirstOrThrow();
  return org.timezone;
}
