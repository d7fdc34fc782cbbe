import type { Insertable } from 'kysely';
import type { DB } from '../../db/types.js';
import { cacheTag, invalidate } from '../../db/invalidation.js';
import type { Executor } from '../../db/tx.js';

export async function findProgramSettings(db: Executor, orgId: string) {
  return db.selectFrom('program_settings').selectAll().where('org_id', '=', orgId).executeTakeFirst();
}

/** Creates the organization's settings row or replaces every value in it. */
export async function upsertProgramSettings(db: Executor, values: Insertable<DB['program_settings']>): Promise<void> {
  await db
    .insertInto('program_settings')
    .values(values)
    .onConflict((oc) => oc.column('org_id').doUpdateSet(values))
    .execute();
  await invalidate(db, [cacheTag.org(values.org_id)]);
}
