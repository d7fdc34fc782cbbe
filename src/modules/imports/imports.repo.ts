import { type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Executor } from '../../db/tx.js';
import type { ImportsTable } from './imports.tables.js';

export type ImportRow = Selectable<ImportsTable>;
export type ImportSummary = Omit<ImportRow, 'csv'>;

const SUMMARY = [
  'org_id', 'id', 'kind', 'file_name', 'file_sha256', 'status', 'rows_total', 'rows_done', 'rows_applied', 'rows_unchanged',
  'rows_with_errors', 'error_count', 'errors', 'job_id', 'actor_type', 'actor_id', 'actor_name', 'created_at', 'updated_at', 'finished_at',
] as const;

export async function insertImport(db: Executor, row: Insertable<ImportsTable>): Promise<void> {
  await db.insertInto('imports').values(row).execute();
}

/** Without the file text (which may be large). */
export function findImportSummary(db: Executor, orgId: string, id: string): Promise<ImportSummary | undefined> {
  return db.selectFrom('imports').select(SUMMARY).where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export function findImport(db: Executor, orgId: string, id: string): Promise<ImportRow | undefined> {
  return db.selectFrom('imports').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export async function updateImport(db: Executor, orgId: string, id: string, patch: Updateable<ImportsTable>): Promise<void> {
  await db.updateTable('imports').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute();
}

export function listImports(db: Executor, orgId: string, before: { at: Date; id: string } | null, limit: number) {
  let q = db.selectFrom('imports').select(SUMMARY).where('org_id', '=', orgId);
  if (before) q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(before.at, before.id)));
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/** Which customer ids and external ids exist in the organization (dry-run checks, in batches). */
export async function existingRefs(db: Executor, orgId: string, ids: string[], externalIds: string[]): Promise<{ ids: Set<string>; externalIds: Set<string> }> {
  const byId = ids.length ? await db.selectFrom('customers').select('id').where('org_id', '=', orgId).where('id', 'in', ids).execute() : [];
  const byExt = externalIds.length
    ? await db.selectFrom('customers').select('external_id').where('org_id', '=', orgId).where('external_id', 'in', externalIds).execute()
    : [];
  return { ids: new Set(byId.map((r) => r.id)), externalIds: new Set(byExt.map((r) => r.external_id ?? '')) };
}

export function orgTiers(db: Executor, orgId: string) {
  return db.selectFrom('tiers').select(['id', 'name']).where('org_id', '=', orgId).execute();
}

export function customerByRef(db: Executor, orgId: string, ref: { customerId: string } | { externalId: string }) {
  const q = db.selectFrom('customers').selectAll().where('org_id', '=', orgId);
  return ('customerId' in ref ? q.where('id', '=', ref.customerId) : q.where('external_id', '=', ref.externalId)).executeTakeFirst();
}

