import { cacheTag, invalidate } from '../../db/invalidation.js';
import type { Executor } from '../../db/tx.js';

export function findOrgBySlug(db: Executor, slug: string) {
  return db.selectFrom('organizations').selectAll().where('slug', '=', slug).executeTakeFirst();
}

export function findOrg(db: Executor, id: string) {
  return db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertOrg(
  db: Executor,
  row: { id: string; slug: string; name: string; currency: string; timezone: string },
): Promise<void> {
  await db.insertInto('organizations').values({ ...row, settings: '{}' }).execute();
}

export async function updateOrg(
  db: Executor,
  id: string,
  patch: { name?: string; currency?: string; timezone?: string; settings?: string },
  now: Date,
): Promise<void> {
  await db.updateTable('organizations').set({ ...patch, updated_at: now }).where('id', '=', id).execute();
  await invalidate(db, [cacheTag.org(id)]);
}

export function listOrgIds(db: Executor) {
  return db.selectFrom('organizations').select(['id', 'timezone']).orderBy('id').execute();
}
