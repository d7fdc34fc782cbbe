import { sql } from 'kysely';
import type { Executor } from '../../db/tx.js';

export const REDACTED = '[anonymized]';

export interface TextColumn {
  table: string;
  column: string;
  /** How to compare and rewrite: plain text, or JSON via its text form. */
  kind: 'text' | 'json' | 'jsonb';
  /** The table has a customer_id column (its rows belong to one customer). */
  perCustomer: boolean;
}

/** Identity columns of other customers are theirs, even when they share an email or name. */
const OTHER_CUSTOMERS_KEEP = new Set(['email', 'first_name', 'last_name', 'phone', 'external_id']);

/**
 * Every text and JSON column of every tenant table (tables with org_id), read from the
 * catalogue so tables added by later features are covered without listing them here.
 */
export async function tenantTextColumns(db: Executor): Promise<TextColumn[]> {
  const rows = await sql<{ table_name: string; column_name: string; data_type: string; per_customer: boolean }>`
    select c.table_name, c.column_name, c.data_type,
      exists (select 1 from information_schema.columns x
              where x.table_schema = c.table_schema and x.table_name = c.table_name and x.column_name = 'customer_id') as per_customer
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'
      and c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb')
      and exists (select 1 from information_schema.columns o
                  where o.table_schema = c.table_schema and o.table_name = c.table_name and o.column_name = 'org_id')
      and c.column_name not in ('org_id', 'id', 'customer_id')
    order by c.table_name, c.column_name`.execute(db);
  return rows.rows
    .filter((r) => !(r.table_name === 'customers' && OTHER_CUSTOMERS_KEEP.has(r.column_name)))
    .map((r) => ({
      table: r.table_name,
      column: r.column_name,
      kind: r.data_type === 'json' ? 'json' : r.data_type === 'jsonb' ? 'jsonb' : 'text',
      perCustomer: r.per_customer,
    }));
}

export interface RedactPatterns {
  /** Case-insensitive: email, phone, full name. */
  full: string | null;
  /** Case-sensitive whole words: single name parts ("Zelda"), only in rows about the customer. */
  parts: string | null;
  /** Case-insensitive: email and phone; a row containing them is about the customer. */
  identifiers: string | null;
}

/**
 * Rewrites one column in the organization's rows that are about the customer: rows of
 * the customer (customer_id), rows whose value mentions the customer id, and rows that
 * contain their email or phone (an import file, a stored reply). Matches of the patterns
 * become REDACTED. Table and column names come from the catalogue (tenantTextColumns),
 * never from input.
 */
export async function redactColumn(db: Executor, col: TextColumn, orgId: string, customerId: string, p: RedactPatterns): Promise<number> {
  const ref = sql.ref(col.column);
  const asText = col.kind === 'text' ? sql`${ref}` : sql`${ref}::text`;
  let replaced = asText;
  if (p.full) replaced = sql`regexp_replace(${replaced}, ${p.full}, ${REDACTED}, 'gi')`;
  if (p.parts) replaced = sql`regexp_replace(${replaced}, ${p.parts}, ${REDACTED}, 'g')`;
  const value = col.kind === 'json' ? sql`${replaced}::json` : col.kind === 'jsonb' ? sql`${replaced}::jsonb` : replaced;
  const owner = col.perCustomer ? sql`customer_id = ${customerId}` : col.table === 'customers' ? sql`id = ${customerId}` : sql`false`;
  const related = p.identifiers
    ? sql`(${owner} or position(${customerId} in ${asText}) > 0 or ${asText} ~* ${p.identifiers})`
    : sql`(${owner} or position(${customerId} in ${asText}) > 0)`;
  const tests = [...(p.full ? [sql`${asText} ~* ${p.full}`] : []), ...(p.parts ? [sql`${asText} ~ ${p.parts}`] : [])];
  if (tests.length === 0) return 0;
  const matches = sql`(${sql.join(tests, sql` or `)})`;
  const r = await sql`update ${sql.table(col.table)} set ${ref} = ${value}
    where org_id = ${orgId} and ${ref} is not null and ${related} and ${matches}`.execute(db);
  return Number(r.numAffectedRows ?? 0n);
}

/** Everything stored about one customer, for a data-access export (oldest first). */
export async function customerRecords(db: Executor, orgId: string, customerId: string) {
  const entries = await db.selectFrom('points_entries').selectAll().where('org_id', '=', orgId).where('customer_id', '=', customerId).orderBy('created_at').orderBy('id').execute();
  const orders = await db.selectFrom('orders').selectAll().where('org_id', '=', orgId).where('customer_id', '=', customerId).orderBy('placed_at').orderBy('id').execute();
  const refunds =
    orders.length === 0
      ? []
      : await db
          .selectFrom('order_refunds')
          .selectAll()
          .where('org_id', '=', orgId)
          .where(
            'order_id',
            'in',
            orders.map((o) => o.id),
          )
          .orderBy('created_at')
          .execute();
  const link = await db.selectFrom('referral_links').selectAll().where('org_id', '=', orgId).where('customer_id', '=', customerId).executeTakeFirst();
  return { entries, orders, refunds, link };
}
