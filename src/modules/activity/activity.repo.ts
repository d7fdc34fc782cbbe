import type { Actor } from '../../context.js';
import { newId } from '../../db/ids.js';
import type { Executor } from '../../db/tx.js';

export interface ActivityInput {
  orgId: string;
  customerId: string;
  type: string;
  actor: Actor;
  summary: string;
  payload?: Record<string, unknown>;
  at: Date;
}

/** The stored row of a timeline event (also written in batch by the ledger). */
export function activityRow(e: ActivityInput) {
  return {
    org_id: e.orgId,
    id: newId(e.at.getTime()),
    customer_id: e.customerId,
    type: e.type,
    actor_type: e.actor.type,
    actor_id: e.actor.id,
    actor_name: e.actor.name,
    summary: e.summary,
    payload: e.payload ?? {},
    created_at: e.at,
  };
}

/** Appends one timeline event; call it inside the transaction of the change it describes. */
export async function recordActivity(db: Executor, e: ActivityInput): Promise<string> {
  const row = activityRow(e);
  await db
    .insertInto('activity_events')
    .values({ ...row, payload: JSON.stringify(row.payload) })
    .execute();
  return row.id;
}

export interface ActivityQuery {
  limit: number;
  /** Keyset: only events strictly older than this (created_at, id). */
  before: { createdAt: Date; id: string } | null;
  /** Exact types and type prefixes ("points." for `points.*`); both empty = every type. */
  types: string[];
  prefixes: string[];
}

/** One customer's timeline, newest first, keyset-paginated on (created_at, id). */
export function listActivity(db: Executor, orgId: string, customerId: string, q: ActivityQuery) {
  let query = db
    .selectFrom('activity_events')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('customer_id', '=', customerId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(q.limit);
  if (q.before) {
    const b = q.before;
    query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(b.createdAt, b.id)));
  }
  if (q.types.length > 0 || q.prefixes.length > 0) {
    query = query.where((eb) =>
      eb.or([
        ...(q.types.length > 0 ? [eb('type', 'in', q.types)] : []),
        ...q.prefixes.map((p) => eb(eb.fn<boolean>('starts_with', ['type', eb.val(p)]), '=', true)),
      ]),
    );
  }
  return query.execute();
}

/** Every timeline event of one customer, oldest first (data export). */
export function allActivity(db: Executor, orgId: string, customerId: string) {
  return db.selectFrom('activity_events').selectAll().where('org_id', '=', orgId).where('customer_id', '=', customerId).orderBy('created_at').orderBy('id').execute();
}

/** Order numbers of the given orders of one organization. */
export function orderNumbers(db: Executor, orgId: string, ids: string[]) {
  return db.selectFrom('orders').select(['id', 'external_id']).where('org_id', '=', orgId).where('id', 'in', ids).execute();
}

/** Names of the given tiers of one organization. */
export function tierNames(db: Executor, orgId: string, ids: string[]) {
  return db.selectFrom('tiers').select(['id', 'name']).where('org_id', '=', orgId).where('id', 'in', ids).execute();
}

/** Display names of the given customers of one organization. */
export function customerNames(db: Executor, orgId: string, ids: string[]) {
  return db.selectFrom('customers').select(['id', 'first_name', 'last_name', 'email']).where('org_id', '=', orgId).where('id', 'in', ids).execute();
}

/** Whether the customer exists in the organization (a timeline of an unknown customer is a 404). */
export async function customerExists(db: Executor, orgId: string, customerId: string): Promise<boolean> {
  const row = await db.selectFrom('customers').select('id').where('org_id', '=', orgId).where('id', '=', customerId).executeTakeFirst();
  return row !== undefined;
}
