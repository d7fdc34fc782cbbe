import { sql } from 'kysely';
import { newId } from '../../db/ids.js';
import type { Executor } from '../../db/tx.js';

/*
 * Bench data: N realistic customers with consistent ledgers, built set-based on the
 * database server (generate_series, one INSERT ... SELECT per table and batch), so a
 * million customers take minutes, not hours, on PostgreSQL and on PGlite alike.
 *
 * Per customer: a name, email and phone that look real; a membership mix (about 70%
 * members, 20% guests, 10% left); about 1% excluded from reports; 0-12 orders spread
 * between sign-up and last activity (sign-ups over the last two years); one point per
 * whole currency unit spent, credited as one earn entry into one lot, part of it
 * redeemed by one redeem entry taking from that lot — so cached balances, lots and
 * allocations agree and GET /api/v1/ledger/verify stays clean; a tier from the points
 * earned when the organization has tiers (Silver, Gold and Platinum are created when it
 * has none).
 */

const FIRST = [
  'James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth', 'William', 'Barbara', 'Richard', 'Susan',
  'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen', 'Christopher', 'Lisa', 'Daniel', 'Nancy', 'Matthew', 'Betty', 'Anthony', 'Sandra',
  'Mark', 'Margaret', 'Donald', 'Ashley', 'Steven', 'Kimberly', 'Andrew', 'Emily', 'Paul', 'Donna', 'Joshua', 'Michelle', 'Kenneth', 'Carol',
  'Kevin', 'Amanda', 'Brian', 'Melissa', 'George', 'Deborah', 'Timothy', 'Stephanie', 'Ronald', 'Rebecca', 'Jason', 'Sharon', 'Edward', 'Laura',
  'Jeffrey', 'Cynthia', 'Ryan', 'Dorothy', 'Jacob', 'Amy', 'Gary', 'Kathleen', 'Nicholas', 'Angela', 'Eric', 'Shirley', 'Jonathan', 'Emma',
  'Stephen', 'Brenda', 'Larry', 'Pamela', 'Justin', 'Nicole', 'Scott', 'Anna', 'Brandon', 'Samantha', 'Benjamin', 'Katherine', 'Samuel', 'Christine',
  'Sofia', 'Lucas', 'Chloé', 'Mateo', 'Zoë', 'Björn', 'Aisha', 'Hiroshi', 'Priya', 'Olumide', 'Ingrid', 'Santiago', 'Mei', 'Dmitri', 'Fatima', 'Noah',
];
const LAST = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez', 'Gonzalez', 'Wilson',
  'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis',
  'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores', 'Green', 'Adams', 'Nelson', 'Baker', 'Hall',
  'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts', 'Gomez', 'Phillips', 'Evans', 'Turner', 'Diaz', 'Parker', 'Cruz', 'Edwards', 'Collins',
  'Reyes', 'Stewart', 'Morris', 'Morales', 'Murphy', 'Cook', 'Rogers', 'Gutierrez', 'Ortiz', 'Morgan', 'Cooper', 'Peterson', 'Bailey', 'Reed',
  'Kelly', 'Howard', 'Ramos', 'Kim', 'Cox', 'Ward', 'Richardson', 'Watson', 'Brooks', 'Chavez', 'Wood', 'James', 'Bennett', 'Gray', 'Mendoza',
  'Müller', 'Dubois', "O'Brien", 'Nakamura', 'Okafor', 'Svensson', 'Kowalski', 'Rossi', 'Novak', 'Haddad', 'Patel', 'Chen',
];
const DOMAINS = ['gmail.com', 'yahoo.com', 'outlook.com', 'icloud.com', 'hotmail.com', 'proton.me', 'aol.com', 'fastmail.com'];

export interface BenchSeedOptions {
  customers: number;
  orgSlug?: string | undefined;
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface BenchSeedResult {
  orgId: string;
  orgSlug: string;
  customers: number;
  orders: number;
  seconds: number;
}

export async function ensureTiers(db: Executor, orgId: string, now: Date): Promise<void> {
  const has = await sql<{ n: number }>`select count(*)::int8 as n from tiers where org_id = ${orgId}`.execute(db);
  if ((has.rows[0]?.n ?? 0) > 0) return;
  for (const [name, threshold] of [['Silver', 250], ['Gold', 1000], ['Platinum', 3000]] as const) {
    await sql`insert into tiers (org_id, id, name, threshold, created_at, updated_at)
      values (${orgId}, ${newId(now.getTime())}, ${name}, ${threshold}, ${now}, ${now})`.execute(db);
  }
}

const pad = (n: number) => String(n).padStart(10, '0');

/** One batch of customers g in [from, to], then their orders and ledgers. */
export async function seedBatch(db: Executor, orgId: string, currency: string, from: number, to: number, now: Date): Promise<number> {
  const lo = `bench-${pad(from)}`;
  const hi = `bench-${pad(to)}`;
  await sql`
    insert into customers (org_id, id, external_id, email, first_name, last_name, phone, birthday, account_state, email_verified,
      membership_type, points_active, points_earned, points_redeemed, orders_count, lifetime_value_minor, tier_progress,
      tier_id, tier_achieved_at, tier_updated_at, excluded_from_reports, last_activity_at, created_at, updated_at)
    select ${orgId},
      substr(t, 1, 8) || '-' || substr(t, 9, 4) || '-' || substr(u, 15, 22),
      'bench-' || lpad(g::text, 10, '0'),
      lower(translate(fn, 'éëöüÖ''', 'eeouo')) || '.' || lower(translate(ln, 'éëöüÖ''', 'eeouo')) || g || '@' || dom,
      fn, ln,
      case when r_phone < 0.7 then '+1 ' || (200 + floor(r_a * 799))::int || ' ' || lpad(floor(r_b * 1000)::int::text, 3, '0') || ' ' || lpad((g % 10000)::text, 4, '0') end,
      case when r_bday < 0.6 then date '1950-01-01' + floor(r_a * 20000)::int end,
      case when r_m < 0.2 then 'guest' else 'registered' end,
      r_m >= 0.2,
      case when r_m < 0.2 then 'guest' when r_m < 0.3 then 'left' else 'member' end,
      earned - redeemed, earned, redeemed, orders, orders * dollars * 100, earned,
      tier, case when tier is not null then act end, case when tier is not null then act end,
      r_x < 0.01, act, created, created
    from (
      select g, fn, ln, dom, r_phone, r_bday, r_m, r_x, r_act, r_a, r_b, created, orders, dollars,
        orders * dollars as earned,
        case when r_red < 0.5 then floor(orders * dollars * r_red)::int8 else 0 end as redeemed,
        case when orders > 0 or r_act < 0.7 then created + (${now}::timestamptz - created) * (0.3 + 0.7 * r_act) end as act,
        (select tt.id from tiers tt where tt.org_id = ${orgId} and tt.threshold <= orders * dollars order by tt.threshold desc limit 1) as tier,
        lpad(to_hex((extract(epoch from created) * 1000)::int8), 12, '0') as t,
        gen_random_uuid()::text as u
      from (
        select g,
          (${FIRST}::text[])[1 + floor(random() * ${FIRST.length})::int] as fn,
          (${LAST}::text[])[1 + floor(random() * ${LAST.length})::int] as ln,
          (${DOMAINS}::text[])[1 + floor(random() * ${DOMAINS.length})::int] as dom,
          random() as r_phone, random() as r_bday, random() as r_m, random() as r_x, random() as r_act, random() as r_a, random() as r_b,
          random() as r_red,
          ${now}::timestamptz - random() * interval '730 days' as created,
          case when random() < 0.25 then 0 else least(12, 1 + floor(-ln(1 - random()) * 2.5))::int end as orders,
          (15 + floor(random() * 160))::int8 as dollars
        from generate_series(${from}::int, ${to}::int) g
      ) a
    ) s`.execute(db);
  const orders = await sql`
    insert into orders (org_id, id, external_id, customer_id, currency, total_minor, eligible_minor, status, placed_at, fulfilled_at,
      points_earned, earn_rate, explanation, created_at, updated_at)
    select c.org_id,
      substr(c.id, 1, 19) || substr(md5(c.id || ':o' || k), 1, 4) || '-' || substr(md5(c.id || ':o' || k), 5, 12),
      c.external_id || '-o' || k, c.id, ${currency}, c.lifetime_value_minor / c.orders_count, c.lifetime_value_minor / c.orders_count,
      'fulfilled', p.at, p.at, c.points_earned / c.orders_count, 1, 'Bench order', p.at, p.at
    from customers c
    cross join lateral generate_series(1, c.orders_count) k
    cross join lateral (select case when k = c.orders_count then c.last_activity_at
      else c.created_at + (c.last_activity_at - c.created_at) * (k::float8 / c.orders_count) * (0.8 + 0.2 * random()) end as at) p
    where c.org_id = ${orgId} and c.external_id between ${lo} and ${hi} and c.orders_count > 0`.execute(db);
  const ids = (kind: string) => sql`substr(c.id, 1, 19) || substr(md5(c.id || ${kind}), 1, 4) || '-' || substr(md5(c.id || ${kind}), 5, 12)`;
  const batch = sql`c.org_id = ${orgId} and c.external_id between ${lo} and ${hi}`;
  await sql`
    insert into points_entries (org_id, id, customer_id, kind, points, active_delta, pending_delta, reason, explanation, actor_type, actor_name,
      balance_after, created_at, counts_toward_tier)
    select c.org_id, ${ids(':earn')}, c.id, 'earn_order', c.points_earned, c.points_earned, 0, 'Orders (bench data)',
      '+' || c.points_earned || ' points: ' || c.orders_count || ' orders x 1 point per unit spent', 'system', 'Patron', c.points_earned, c.created_at, true
    from customers c where ${batch} and c.points_earned > 0`.execute(db);
  await sql`
    insert into points_lots (org_id, id, customer_id, entry_id, status, points, remaining, created_at)
    select c.org_id, ${ids(':lot')}, c.id, ${ids(':earn')}, 'active', c.points_earned, c.points_active, c.created_at
    from customers c where ${batch} and c.points_earned > 0`.execute(db);
  await sql`
    insert into points_entries (org_id, id, customer_id, kind, points, active_delta, pending_delta, reason, explanation, actor_type, actor_name,
      balance_after, created_at)
    select c.org_id, ${ids(':redeem')}, c.id, 'redeem', -c.points_redeemed, -c.points_redeemed, 0, 'Reward redeemed (bench data)',
      '-' || c.points_redeemed || ' points: reward', 'customer', 'Customer', c.points_active, c.last_activity_at
    from customers c where ${batch} and c.points_redeemed > 0`.execute(db);
  await sql`
    insert into points_allocations (org_id, entry_id, lot_id, points)
    select c.org_id, ${ids(':earn')}, ${ids(':lot')}, c.points_earned from customers c where ${batch} and c.points_earned > 0
    union all
    select c.org_id, ${ids(':redeem')}, ${ids(':lot')}, -c.points_redeemed from customers c where ${batch} and c.points_redeemed > 0`.execute(db);
  return Number(orders.numAffectedRows ?? 0n);
}

export const BULK_TABLES = ['customers', 'orders', 'points_entries', 'points_lots', 'points_allocations'];

/**
 * Secondary (non-unique) indexes of the bulk tables. Loading a fresh database is several
 * times faster when they are built once after the rows are in; that happens inside the
 * load's transaction, so a failed load leaves every index as it was.
 */
export async function secondaryIndexes(db: Executor): Promise<{ name: string; def: string }[]> {
  const r = await sql<{ name: string; def: string }>`
    select i.relname as name, pg_get_indexdef(x.indexrelid) as def
    from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
    where t.relname = any(${BULK_TABLES}::text[]) and t.relnamespace = 'public'::regnamespace
      and not x.indisunique and not x.indisprimary`.execute(db);
  return r.rows;
}

/** How many bench customers the organization already has (new ones are numbered after them). */
export async function countBenchCustomers(db: Executor, orgId: string): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int8 as n from customers where org_id = ${orgId} and external_id like 'bench-%'`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

/** Whether the database holds no customer at all (a fresh load may rebuild indexes once). */
export async function databaseIsEmpty(db: Executor): Promise<boolean> {
  return (await sql<{ any: boolean }>`select exists (select 1 from customers) as any`.execute(db)).rows[0]?.any === false;
}

export async function dropIndex(db: Executor, name: string): Promise<void> {
  await sql`drop index ${sql.id(name)}`.execute(db);
}

/** Recreates an index from its definition as read by secondaryIndexes (pg_get_indexdef). */
export async function createIndexFromDefinition(db: Executor, def: string): Promise<void> {
  await sql.raw(def).execute(db);
}

/** More memory for index builds, for the rest of this transaction. */
export async function raiseMaintenanceMemory(db: Executor): Promise<void> {
  await sql`set local maintenance_work_mem = '256MB'`.execute(db);
}

/** Fresh statistics and visibility map, so the planner picks index-only scans for counts. */
export async function vacuumAnalyze(db: Executor, table: string): Promise<void> {
  await sql`vacuum (analyze) ${sql.table(table)}`.execute(db);
}
