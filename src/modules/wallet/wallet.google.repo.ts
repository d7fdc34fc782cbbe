import type { Selectable } from 'kysely';
import { cacheTag, invalidate } from '../../db/invalidation.js';
import type { Executor } from '../../db/tx.js';
import type { WalletGoogleObjectsTable, WalletGoogleSettingsTable } from './wallet.tables.js';

export type GoogleSettingsRow = Selectable<WalletGoogleSettingsTable>;
export type GoogleObjectRow = Selectable<WalletGoogleObjectsTable>;

export function findGoogleSettings(db: Executor, orgId: string): Promise<GoogleSettingsRow | undefined> {
  return db.selectFrom('wallet_google_settings').selectAll().where('org_id', '=', orgId).executeTakeFirst();
}

/** Creates or replaces the organization's Google settings. */
export async function saveGoogleSettings(
  db: Executor,
  row: { orgId: string; issuerId: string; serviceAccountEmail: string; keySealed: string; classSuffix: string; origins: string[]; classSyncedAt: Date; now: Date },
): Promise<void> {
  const values = {
    issuer_id: row.issuerId,
    service_account_email: row.serviceAccountEmail,
    key_sealed: row.keySealed,
    class_suffix: row.classSuffix,
    origins: row.origins,
    class_synced_at: row.classSyncedAt,
    updated_at: row.now,
  };
  await invalidate(db, [cacheTag.outbox(row.orgId)]);
  await db
    .insertInto('wallet_google_settings')
    .values({ org_id: row.orgId, ...values, created_at: row.now })
    .onConflict((oc) => oc.column('org_id').doUpdateSet(values))
    .execute();
}

/** Forgets every loyalty object of the organization (they belonged to another issuer or class). */
export async function deleteGoogleObjects(db: Executor, orgId: string): Promise<void> {
  await db.deleteFrom('wallet_google_objects').where('org_id', '=', orgId).execute();
}

export function findGoogleObject(db: Executor, orgId: string, customerId: string): Promise<GoogleObjectRow | undefined> {
  return db.selectFrom('wallet_google_objects').selectAll().where('org_id', '=', orgId).where('customer_id', '=', customerId).executeTakeFirst();
}

/** The customer's object row, created (not yet at Google) when absent. */
export async function ensureGoogleObject(db: Executor, orgId: string, customerId: string, objectId: string, now: Date): Promise<GoogleObjectRow> {
  await db
    .insertInto('wallet_google_objects')
    .values({ org_id: orgId, customer_id: customerId, object_id: objectId, saved: false, created_at: now, updated_at: now })
    .onConflict((oc) => oc.columns(['org_id', 'customer_id']).doNothing())
    .execute();
  return (await findGoogleObject(db, orgId, customerId))!;
}

/**
 * Records a successful write at Google: what was written and whether someone saved the pass.
 * Locks the row and answers whether `saved` was false before (the pass was just added).
 */
export async function markGoogleObjectSynced(
  db: Executor,
  orgId: string,
  customerId: string,
  r: { contentHash: string | null; saved: boolean | null; now: Date },
): Promise<{ becameSaved: boolean; becameUnsaved: boolean }> {
  const before = await db
    .selectFrom('wallet_google_objects')
    .select('saved')
    .where('org_id', '=', orgId)
    .where('customer_id', '=', customerId)
    .forUpdate()
    .executeTakeFirst();
  if (!before) return { becameSaved: false, becameUnsaved: false };
  await db
    .updateTable('wallet_google_objects')
    .set({
      ...(r.contentHash !== null ? { synced_content_hash: r.contentHash } : {}),
      ...(r.saved !== null ? { saved: r.saved } : {}),
      synced_at: r.now,
      last_error: null,
      updated_at: r.now,
    })
    .where('org_id', '=', orgId)
    .where('customer_id', '=', customerId)
    .execute();
  return { becameSaved: r.saved === true && !before.saved, becameUnsaved: r.saved === false && before.saved };
}

export async function markGoogleObjectFailed(db: Executor, orgId: string, customerId: string, error: string, now: Date): Promise<void> {
  await db
    .updateTable('wallet_google_objects')
    .set({ last_error: error.slice(0, 500), updated_at: now })
    .where('org_id', '=', orgId)
    .where('customer_id', '=', customerId)
    .execute();
}
