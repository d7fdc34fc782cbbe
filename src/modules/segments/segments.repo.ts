import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../db/tx.js';
import type { SegmentsTable } from './segments.tables.js';

export type SegmentRow = Selectable<SegmentsTable>;

export function findSegment(db: Executor, orgId: string, id: string): Promise<SegmentRow | undefined> {
  return db.selectFrom('segments').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export function listSegments(db: Executor, orgId: string, after: { name: string; id: string } | null, limit: number): Promise<SegmentRow[]> {
  let q = db.selectFrom('segments').selectAll().where('org_id', '=', orgId);
  if (after) q = q.where((eb) => eb(eb.refTuple('name', 'id'), '>', eb.tuple(after.name, after.id)));
  return q.orderBy('name').orderBy('id').limit(limit).execute();
}

export async function insertSegment(db: Executor, row: Insertable<SegmentsTable>): Promise<SegmentRow> {
  return db.insertInto('segments').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updateSegment(db: Executor, orgId: string, id: string, patch: Updateable<SegmentsTable>): Promise<SegmentRow | undefined> {
  return db.updateTable('segments').set(patch).where('org_id', '=', orgId).where('id', '=', id).returningAll().executeTakeFirst();
}

export async function deleteSegment(db: Executor, orgId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('segments').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
