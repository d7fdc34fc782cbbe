import { cacheTag, invalidate } from '../../db/invalidation.js';
import type { Executor } from '../../db/tx.js';

/** A new key row; the secret itself is never stored, only its SHA-256. */
export interface NewApiKey {
  org_id: string;
  id: string;
  name: string;
  prefix: string;
  secret_hash: string;
  scopes: string[];
  created_by: string | null;
}

export async function insertApiKey(db: Executor, key: NewApiKey) {
  return db
    .insertInto('api_keys')
    .values({ ...key, last_used_at: null, revoked_at: null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listApiKeys(db: Executor, orgId: string) {
  return db.selectFrom('api_keys').selectAll().where('org_id', '=', orgId).orderBy('created_at', 'desc').execute();
}

/** Revokes once: a second revoke keeps the first time. Every process stops accepting the key within a second. */
export async function revokeApiKey(db: Executor, orgId: string, id: string, at: Date) {
  const row = await db
    .updateTable('api_keys')
    .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(at)) }))
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  if (row) await invalidate(db, [cacheTag.apiKey(id)]);
  return row;
}
