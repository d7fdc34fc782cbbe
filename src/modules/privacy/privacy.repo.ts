import { sql, type Updateable } from 'kysely';
import type { Executor } from '../../db/tx.js';
import type { CustomersTable } from '../../db/types.js';
import type { CustomerPreviousValuesTable } from './privacy.tables.js';

export const REDACTED = '[anonymized]';

/**
 * How a row shows it belongs to the customer: a column referencing customers (customer_id,
 * referrer_customer_id, ...), or a column referencing a row of another table that does
 * (order_refunds.order_id -> orders.customer_id). Read from the foreign keys.
 */
export type Owner = { column: string } | { column: string; parent: string; parentColumns: string[] };

export interface TextColumn {
  table: string;
  column: string;
  /** How to compare and rewrite: plain text, or JSON via its text form. */
  kind: 'text' | 'json' | 'jsonb';
  /** The ways a row of this table can belong to one customer (none: only mentions count). */
  owners: Owner[];
}

/** Identity columns of other customers are theirs, even when they share an email or name. */
const OTHER_CUSTOMERS_KEEP = new Set(['email', 'first_name', 'last_name', 'phone', 'external_id']);

/** Single-column tenant foreign keys, (org_id, x) -> table (org_id, id), from the catalogue. */
async function tenantForeignKeys(db: Executor): Promise<{ table: string; column: string; ref: string }[]> {
  const rows = await sql<{ tbl: string; ref: string; cols: string[]; refcols: string[] }>`
    select t.relname as tbl, r.relname as ref,
      array(select a.attname from unnest(con.conkey) with ordinality k(n, o)
        join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.n order by k.o)::text[] as cols,
      array(select a.attname from unnest(con.confkey) with ordinality k(n, o)
        join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.n order by k.o)::text[] as refcols
    from pg_constraint con
    join pg_class t on t.oid = con.conrelid
    join pg_class r on r.oid = con.confrelid
    join pg_namespace ns on ns.oid = t.relnamespace
    where con.contype = 'f' and ns.nspname = current_schema()`.execute(db);
  return rows.rows
    .filter((f) => f.cols.length === 2 && f.cols[0] === 'org_id' && f.refcols[0] === 'org_id' && f.refcols[1] === 'id')
    .map((f) => ({ table: f.tbl, column: f.cols[1]!, ref: f.ref }));
}

/**
 * Every text and JSON column of every tenant table (tables with org_id), read from the
 * catalogue so tables added by later features are covered without listing them here,
 * with the foreign keys that tie its rows to a customer.
 */
export async function tenantTextColumns(db: Executor): Promise<TextColumn[]> {
  const rows = await sql<{ table_name: string; column_name: string; data_type: string }>`
    select c.table_name, c.column_name, c.data_type
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'
      and c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb')
      and exists (select 1 from information_schema.columns o
                  where o.table_schema = c.table_schema and o.table_name = c.table_name and o.column_name = 'org_id')
      and c.column_name not in ('org_id', 'id', 'customer_id')
    order by c.table_name, c.column_name`.execute(db);
  const fks = await tenantForeignKeys(db);
  const direct = (table: string) => (table === 'customers' ? ['id'] : fks.filter((f) => f.table === table && f.ref === 'customers').map((f) => f.column));
  const ownersOf = (table: string): Owner[] => [
    ...direct(table).map((column) => ({ column })),
    ...fks
      .filter((f) => f.table === table && f.ref !== 'customers' && direct(f.ref).length > 0)
      .map((f) => ({ column: f.column, parent: f.ref, parentColumns: direct(f.ref) })),
  ];
  return rows.rows
    .filter((r) => !(r.table_name === 'customers' && OTHER_CUSTOMERS_KEEP.has(r.column_name)))
    .map((r) => ({
      table: r.table_name,
      column: r.column_name,
      kind: r.data_type === 'json' ? 'json' : r.data_type === 'jsonb' ? 'jsonb' : 'text',
      owners: ownersOf(r.table_name),
    }));
}

export interface RedactPatterns {
  /** Case-insensitive: emails, phones, full names. */
  full: string | null;
  /** Case-sensitive whole words: single name parts ("Zelda"), only in rows about the customer. */
  parts: string | null;
  /** Case-insensitive: emails and phones; a row containing them is about the customer. */
  identifiers: string | null;
}

function ownedBy(table: string, o: Owner, customerId: string) {
  if (!('parent' in o)) return sql`${sql.ref(o.column)} = ${customerId}`;
  const p = sql.table(o.parent);
  return sql`exists (select 1 from ${p} as owner_row where owner_row.org_id = ${sql.ref(`${table}.org_id`)} and owner_row.id = ${sql.ref(`${table}.${o.column}`)}
    and (${sql.join(
      o.parentColumns.map((c) => sql`owner_row.${sql.ref(c)} = ${customerId}`),
      sql` or `,
    )}))`;
}

/**
 * Rewrites one column in the organization's rows that are about the customer: rows that
 * belong to them (see Owner), rows whose value mentions the customer id, and rows that
 * contain one of their emails or phones (an import file, another customer's note). Matches
 * of the patterns become REDACTED. Table and column names come from the catalogue
 * (tenantTextColumns), never from input.
 */
export async function redactColumn(db: Executor, col: TextColumn, orgId: string, customerId: string, p: RedactPatterns): Promise<number> {
  const ref = sql.ref(col.column);
  const asText = col.kind === 'text' ? sql`${ref}` : sql`${ref}::text`;
  let replaced = asText;
  if (p.full) replaced = sql`regexp_replace(${replaced}, ${p.full}, ${REDACTED}, 'gi')`;
  if (p.parts) replaced = sql`regexp_replace(${replaced}, ${p.parts}, ${REDACTED}, 'g')`;
  const value = col.kind === 'json' ? sql`${replaced}::json` : col.kind === 'jsonb' ? sql`${replaced}::jsonb` : replaced;
  const reasons = [...col.owners.map((o) => ownedBy(col.table, o, customerId)), sql`position(${customerId} in ${asText}) > 0`, ...(p.identifiers ? [sql`${asText} ~* ${p.identifiers}`] : [])];
  const related = sql`(${sql.join(reasons, sql` or `)})`;
  const tests = [...(p.full ? [sql`${asText} ~* ${p.full}`] : []), ...(p.parts ? [sql`${asText} ~ ${p.parts}`] : [])];
  if (tests.length === 0) return 0;
  const matches = sql`(${sql.join(tests, sql` or `)})`;
  const r = await sql`update ${sql.table(col.table)} set ${ref} = ${value}
    where org_id = ${orgId} and ${ref} is not null and ${related} and ${matches}`.execute(db);
  return Number(r.numAffectedRows ?? 0n);
}

/**
 * For each column of one table: which of the given customers' patterns match at least one
 * of the organization's values in it (case-insensitive `full`, case-sensitive `parts`, as
 * redactColumn tests them). One scan of the table for all columns and customers; a column
 * in which a customer's patterns match nothing would be left unchanged by redactColumn for
 * that customer. Returns "column\tindex" pairs (index into `patterns`).
 */
export async function matchingColumns(db: Executor, table: string, columns: TextColumn[], orgId: string, patterns: RedactPatterns[]): Promise<Set<string>> {
  if (columns.length === 0 || patterns.length === 0) return new Set();
  const values = sql.join(columns.map((c) => sql`(${c.column}::text, ${sql.ref(`t.${c.column}`)}::text)`));
  // First one test per value with every customer's patterns together (in groups, to keep each
  // expression small); only values that pass are tested customer by customer.
  const any: ReturnType<typeof sql>[] = [];
  for (let i = 0; i < patterns.length; i += 20) {
    const group = patterns.slice(i, i + 20);
    const full = group.flatMap((x) => (x.full ? [x.full] : []));
    const parts = group.flatMap((x) => (x.parts ? [x.parts] : []));
    if (full.length > 0) any.push(sql`v.value ~* ${full.join('|')}`);
    if (parts.length > 0) any.push(sql`v.value ~ ${parts.join('|')}`);
  }
  if (any.length === 0) return new Set();
  const r = await sql<{ name: string; i: string }>`
    select distinct m.name, p.i::text as i
    from (select v.name, v.value
          from ${sql.table(table)} as t
          cross join lateral (values ${values}) as v(name, value)
          where t.org_id = ${orgId} and v.value is not null and (${sql.join(any, sql` or `)})
          offset 0) as m
    cross join unnest(${patterns.map((x) => x.full)}::text[], ${patterns.map((x) => x.parts)}::text[]) with ordinality as p(full_re, parts_re, i)
    where (p.full_re is not null and m.value ~* p.full_re) or (p.parts_re is not null and m.value ~ p.parts_re)`.execute(db);
  return new Set(r.rows.map((x) => `${x.name}\t${Number(x.i) - 1}`));
}

/** Which of the patterns match `text` (with PostgreSQL's regular expressions, as redactColumn uses them); indexes into `patterns`. */
export async function patternsMatching(db: Executor, text: string, patterns: RedactPatterns[]): Promise<Set<number>> {
  if (patterns.length === 0) return new Set();
  const r = await sql<{ i: string }>`
    select p.i::text as i
    from unnest(${patterns.map((x) => x.full)}::text[], ${patterns.map((x) => x.parts)}::text[]) with ordinality as p(full_re, parts_re, i)
    where (p.full_re is not null and ${text} ~* p.full_re) or (p.parts_re is not null and ${text} ~ p.parts_re)`.execute(db);
  return new Set(r.rows.map((x) => Number(x.i) - 1));
}

/**
 * Rows inserted, updated or deleted so far by the current transaction, per table (PostgreSQL's
 * own per-transaction counters): a table whose count moved has been written meanwhile.
 */
export async function tableWrites(db: Executor): Promise<Map<string, number>> {
  const r = await sql<{ relname: string; n: string }>`
    select relname, (n_tup_ins + n_tup_upd + n_tup_del)::text as n from pg_stat_xact_user_tables
    where schemaname = current_schema()`.execute(db);
  return new Map(r.rows.map((x) => [x.relname, Number(x.n)]));
}

/** The emails, phones and names the customer's profile had before (kept by migration 0014's trigger), oldest first. */
export function previousValues(db: Executor, orgId: string, customerId: string) {
  return db
    .selectFrom('customer_previous_values')
    .select(['field', 'value', 'replaced_at'])
    .where('org_id', '=', orgId)
    .where('customer_id', '=', customerId)
    .orderBy('replaced_at')
    .orderBy('field')
    .orderBy('value')
    .execute();
}

export type PreviousValue = Pick<CustomerPreviousValuesTable, 'field' | 'value'>;

export async function deletePreviousValues(db: Executor, orgId: string, customerId: string): Promise<void> {
  await db.deleteFrom('customer_previous_values').where('org_id', '=', orgId).where('customer_id', '=', customerId).execute();
}

/**
 * Every earlier version of the internal note lives in the customer's `note.updated`
 * timeline payloads; the erasure removes the text from them (the summary keeps only its length).
 */
export async function eraseNoteVersions(db: Executor, orgId: string, customerId: string): Promise<number> {
  const r = await sql`update activity_events set payload = payload || '{"text": null}'::jsonb
    where org_id = ${orgId} and customer_id = ${customerId} and starts_with(type, 'note.') and payload->>'text' is not null`.execute(db);
  return Number(r.numAffectedRows ?? 0n);
}

/**
 * Profile edits keep the old and new value of each personal field in the customer's
 * `customer.updated` timeline payloads (`values`: birthday, anniversary, name, email,
 * phone); the erasure removes them (the field names stay, so the timeline still says what
 * was edited).
 */
export async function eraseProfileChangeValues(db: Executor, orgId: string, customerId: string): Promise<number> {
  const r = await sql`update activity_events set payload = payload - 'values'
    where org_id = ${orgId} and customer_id = ${customerId} and type = 'customer.updated' and payload->'values' is not null`.execute(db);
  return Number(r.numAffectedRows ?? 0n);
}

const escapeRegex = (s: string) => s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');

function topLevelId(raw: string | null, body: unknown): unknown {
  if (body && typeof body === 'object') return (body as { id?: unknown }).id;
  if (raw === null) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed && typeof parsed === 'object' ? (parsed as { id?: unknown }).id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Stored Idempotency-Key replies of requests about the customer (a path under
 * `/customers/{id}`, or a reply that is their profile, as from `POST /customers`) are
 * replaced by `reply` (409 CUSTOMER_ANONYMIZED). A retry with such a key then neither
 * returns the person's data nor runs again (running again could re-create the person).
 * The erasure request's own key is left alone. Replies that only mention the customer
 * (an order, another customer's referral) are redacted like any other text instead.
 */
export async function eraseRepliesAbout(db: Executor, orgId: string, customerId: string, reply: string): Promise<number> {
  const candidates = await db
    .selectFrom('idempotency_keys')
    .select(['key', 'path', 'response_raw', 'response_body'])
    .where('org_id', '=', orgId)
    .where('status', '=', 'done')
    .where((eb) =>
      eb.or([
        eb(sql<number>`position(${customerId} in ${eb.ref('path')})`, '>', 0),
        eb(sql<number>`position(${customerId} in coalesce(${eb.ref('response_raw')}, ${eb.ref('response_body')}::text, ''))`, '>', 0),
      ]),
    )
    .execute();
  const underCustomer = new RegExp(`/customers/${escapeRegex(customerId)}(/|$)`);
  const own = new RegExp(`/customers/${escapeRegex(customerId)}/anonymize$`);
  const keys = candidates
    .filter((r) => !own.test(r.path) && (underCustomer.test(r.path) || topLevelId(r.response_raw, r.response_body) === customerId))
    .map((r) => r.key);
  for (let i = 0; i < keys.length; i += 500) {
    await db
      .updateTable('idempotency_keys')
      .set({ response_status: 409, response_raw: reply, response_body: reply, response_content_type: 'application/json; charset=utf-8' })
      .where('org_id', '=', orgId)
      .where('key', 'in', keys.slice(i, i + 500))
      .execute();
  }
  return keys.length;
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

/** Sets columns of one customer row (erasure, reporting exclusion) and returns the row. */
export function updateCustomer(db: Executor, orgId: string, customerId: string, patch: Updateable<CustomersTable>) {
  return db.updateTable('customers').set(patch).where('org_id', '=', orgId).where('id', '=', customerId).returningAll().executeTakeFirstOrThrow();
}

/** An erased customer's referral links stop working. */
export async function disableReferralLinks(db: Executor, orgId: string, customerId: string, at: Date): Promise<void> {
  await db.updateTable('referral_links').set({ status: 'disabled', updated_at: at }).where('org_id', '=', orgId).where('customer_id', '=', customerId).execute();
}

/** The customer row for a data-access export, or undefined. */
export function findCustomerRow(db: Executor, orgId: string, customerId: string) {
  return db.selectFrom('customers').selectAll().where('org_id', '=', orgId).where('id', '=', customerId).executeTakeFirst();
}

/** The organization named in a data-access export. */
export function findOrgName(db: Executor, orgId: string) {
  return db.selectFrom('organizations').select(['id', 'name']).where('id', '=', orgId).executeTakeFirstOrThrow();
}
