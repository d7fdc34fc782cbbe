import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { toBackfillView } from './shopify.backfill.js';
import { toConnectionView } from './shopify.connection.js';
import * as repo from './shopify.repo.js';

/** The settings page: the connection, its deliveries by state, and the latest backfill. */
export async function getSettings(ctx: AppContext, orgId: string) {
  const [row, counts, backfill] = await Promise.all([repo.findConnection(ctx.db, orgId), repo.countWebhooksByStatus(ctx.db, orgId), repo.latestBackfill(ctx.db, orgId)]);
  return {
    ...toConnectionView(row),
    deliveries: { received: counts.received ?? 0, processed: counts.processed ?? 0, failed: counts.failed ?? 0 },
    backfill: toBackfillView(backfill),
  };
}

export async function listDataRequests(ctx: AppContext, orgId: string) {
  const rows = await repo.listDataRequests(ctx.db, orgId, 100);
  return {
    items: rows.map((r) => ({
      id: r.id,
      requestId: r.request_id,
      shopifyCustomerId: r.shopify_customer_id,
      customerId: r.customer_id,
      status: r.status,
      error: r.error,
      fileName: r.file_name,
      createdAt: r.created_at.toISOString(),
      completedAt: r.completed_at?.toISOString() ?? null,
    })),
  };
}

/** The prepared export of a data request, as a file. */
export async function dataRequestFile(ctx: AppContext, orgId: string, id: string): Promise<{ fileName: string; body: string }> {
  const row = await repo.findDataRequest(ctx.db, orgId, id);
  if (!row) throw AppError.notFound('Shopify data request', id);
  if (row.status !== 'ready' || row.file === null || !row.file_name) {
    throw new AppError('CONFLICT', row.status === 'pending' ? 'The export is still being prepared' : (row.error ?? 'There is no file for this request'), { id });
  }
  return { fileName: row.file_name, body: JSON.stringify(row.file, null, 2) };
}
