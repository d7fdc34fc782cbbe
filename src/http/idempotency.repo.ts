import type { Executor } from '../db/tx.js';

/**
 * Claims an Idempotency-Key for a request (inside the request's transaction, so a second
 * request with the same key waits for the first to commit); undefined when already claimed.
 */
export function claimKey(db: Executor, c: { orgId: string; key: string; method: string; path: string; requestHash: string }) {
  return db
    .insertInto('idempotency_keys')
    .values({ org_id: c.orgId, key: c.key, method: c.method, path: c.path, request_hash: c.requestHash, status: 'in_progress' })
    .onConflict((oc) => oc.columns(['org_id', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
}

export function findKey(db: Executor, orgId: string, key: string) {
  return db.selectFrom('idempotency_keys').selectAll().where('org_id', '=', orgId).where('key', '=', key).executeTakeFirst();
}

/** Stores the reply given under a claimed key, to be replayed to a repeated request. */
export async function storeReply(db: Executor, orgId: string, key: string, r: { status: number; raw: string; contentType: string | null }): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ status: 'done', response_status: r.status, response_raw: r.raw, response_content_type: r.contentType })
    .where('org_id', '=', orgId)
    .where('key', '=', key)
    .execute();
}
