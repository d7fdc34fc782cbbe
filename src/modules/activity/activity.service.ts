import type { Selectable } from 'kysely';
import type { AppContext } from '../../context.js';
import type { ActivityEventsTable } from '../../db/types.js';
import { AppError } from '../../errors.js';
import { listActivity } from './activity.repo.js';

export type ActivityRow = Selectable<ActivityEventsTable>;

export function toActivityView(e: ActivityRow) {
  return {
    id: e.id,
    type: e.type,
    summary: e.summary,
    actor: { type: e.actor_type, id: e.actor_id, name: e.actor_name },
    payload: e.payload,
    createdAt: e.created_at.toISOString(),
  };
}

/** Splits `points.*,order.created` into exact types and prefixes ("points."). */
export function parseTypes(raw: string | undefined): { types: string[]; prefixes: string[] } {
  const items = (raw ?? '').split(',').filter(Boolean);
  return {
    types: items.filter((t) => !t.endsWith('.*')),
    prefixes: items.filter((t) => t.endsWith('.*')).map((t) => t.slice(0, -1)),
  };
}

/**
 * The timeline, newest first. The keyset (created_at, id) makes pages stable while events
 * are added: a new event sorts above the cursor, so later pages neither repeat nor skip
 * anything that existed when paging began.
 */
export async function customerActivity(
  ctx: AppContext,
  orgId: string,
  customerId: string,
  opts: { limit: number; before: { createdAt: Date; id: string } | null; types: string | undefined },
) {
  const exists = await ctx.db.selectFrom('customers').select('id').where('org_id', '=', orgId).where('id', '=', customerId).executeTakeFirst();
  if (!exists) throw AppError.notFound('Customer', customerId);
  const rows = await listActivity(ctx.db, orgId, customerId, { limit: opts.limit + 1, before: opts.before, ...parseTypes(opts.types) });
  const page = rows.slice(0, opts.limit);
  const last = page[page.length - 1];
  return { items: page.map(toActivityView), next: rows.length > opts.limit && last ? { at: last.created_at.toISOString(), id: last.id } : null };
}
