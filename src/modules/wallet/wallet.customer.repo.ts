import type { Insertable } from 'kysely';
import type { Executor } from '../../db/tx.js';
import type { WalletInteractionsTable } from './wallet.tables.js';
import type { WalletLinkHitsTable } from './wallet.customer.tables.js';

/** One scan or tap of a pass (the profile counts them: taps are its "clicks"). */
export async function insertInteraction(db: Executor, row: Insertable<WalletInteractionsTable>): Promise<void> {
  await db.insertInto('wallet_interactions').values(row).execute();
}

/**
 * Counts one request in each bucket's current window, atomically (one upsert per bucket),
 * and returns the counts including this request and when each window started.
 */
export async function takeLinkHits(db: Executor, orgId: string, buckets: string[], now: Date, windowMs: number) {
  const windowStart = new Date(now.getTime() - windowMs);
  const rows: Insertable<WalletLinkHitsTable>[] = buckets.map((bucket) => ({ org_id: orgId, bucket, hits: 1, window_started_at: now }));
  return db
    .insertInto('wallet_link_hits')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['org_id', 'bucket']).doUpdateSet((eb) => ({
        hits: eb.case().when('wallet_link_hits.window_started_at', '<=', windowStart).then(1).else(eb('wallet_link_hits.hits', '+', 1)).end(),
        window_started_at: eb.case().when('wallet_link_hits.window_started_at', '<=', windowStart).then(now).else(eb.ref('wallet_link_hits.window_started_at')).end(),
      })),
    )
    .returning(['bucket', 'hits', 'window_started_at'])
    .execute();
}

export async function deleteOldLinkHits(db: Executor, orgId: string, before: Date): Promise<number> {
  const r = await db.deleteFrom('wallet_link_hits').where('org_id', '=', orgId).where('window_started_at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}
