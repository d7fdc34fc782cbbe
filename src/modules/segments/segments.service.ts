import type { Actor, AppContext } from '../../context.js';
import { newId } from '../../db/ids.js';
import { isUniqueViolation } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import * as repo from './segments.repo.js';
import type { SegmentCreate, SegmentPatch, SegmentView } from './segments.schemas.js';
import { keysetPage } from '../../db/paging.js';

function toView(r: repo.SegmentRow): SegmentView {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    filter: r.filter,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

function nameTaken(name: string): AppError {
  return new AppError('ALREADY_EXISTS', `A segment named "${name}" already exists; pick another name or edit that segment`, { field: 'name' });
}

export async function createSegment(ctx: AppContext, orgId: string, input: SegmentCreate, actor: Actor): Promise<SegmentView> {
  const now = ctx.clock.now();
  try {
    const row = await repo.insertSegment(ctx.db, {
      org_id: orgId,
      id: newId(now.getTime()),
      name: input.name,
      description: input.description ?? null,
      filter: JSON.stringify(input.filter),
      created_by: actor.name,
      created_at: now,
      updated_at: now,
    });
    return toView(row);
  } catch (err) {
    if (isUniqueViolation(err, 'segments_name_key')) throw nameTaken(input.name);
    throw err;
  }
}

export async function getSegment(ctx: AppContext, orgId: string, id: string): Promise<SegmentView> {
  const row = await repo.findSegment(ctx.db, orgId, id);
  if (!row) throw AppError.notFound('Segment', id);
  return toView(row);
}

export async function listSegments(ctx: AppContext, orgId: string, after: { name: string; id: string } | null, limit: number) {
  const { page, next } = await keysetPage(limit, (n) => repo.listSegments(ctx.db, orgId, after, n), (last) => ({ name: last.name, id: last.id }));
  return { items: page.map(toView), next };
}

export async function updateSegment(ctx: AppContext, orgId: string, id: string, patch: SegmentPatch): Promise<SegmentView> {
  try {
    const row = await repo.updateSegment(ctx.db, orgId, id, {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.filter !== undefined ? { filter: JSON.stringify(patch.filter) } : {}),
      updated_at: ctx.clock.now(),
    });
    if (!row) throw AppError.notFound('Segment', id);
    return toView(row);
  } catch (err) {
    if (isUniqueViolation(err, 'segments_name_key')) throw nameTaken(patch.name ?? '');
    throw err;
  }
}

export async function deleteSegment(ctx: AppContext, orgId: string, id: string): Promise<void> {
  if (!(await repo.deleteSegment(ctx.db, orgId, id))) throw AppError.notFound('Segment', id);
}
