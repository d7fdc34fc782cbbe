import type { Selectable } from 'kysely';
import type { AppContext } from '../../context.js';
import type { ActivityEventsTable } from '../../db/types.js';
import { AppError } from '../../errors.js';
import { customerExists, customerNames, listActivity, orderNumbers, tierNames } from './activity.repo.js';
import { keysetPage } from '../../db/paging.js';

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

type Refs = { orders: Record<string, string>; tiers: Record<string, string>; customers: Record<string, string> };
type RefKind = keyof Refs;

/** Which payload keys hold an id of what: `orderId`, `qualifyingOrderId`, `previousTierId`, `friendCustomerId`... */
function refKind(key: string): RefKind | null {
  if (/(^|[a-z])(O|o)rderId$/.test(key)) return 'orders';
  if (/(^|[a-z])(T|t)ierId$/.test(key)) return 'tiers';
  if (/(^|[a-z])(C|c)ustomerId$/.test(key)) return 'customers';
  return null;
}

function idsIn(payload: Record<string, unknown>): [RefKind, string][] {
  return Object.entries(payload).flatMap(([k, v]) => {
    const kind = refKind(k);
    return kind && typeof v === 'string' && v ? [[kind, v] as [RefKind, string]] : [];
  });
}

/**
 * Resolves the order, tier and customer ids the events' payloads name, for the whole page at
 * once (three queries at most, all scoped to the organization): staff read `#1091`, "Gold"
 * and "Ada Lovelace", never an id. Anything no longer there is simply absent.
 */
async function resolveRefs(ctx: AppContext, orgId: string, rows: ActivityRow[]): Promise<Refs> {
  const wanted: Record<RefKind, Set<string>> = { orders: new Set(), tiers: new Set(), customers: new Set() };
  for (const r of rows) for (const [kind, id] of idsIn(r.payload)) if (UUID.test(id)) wanted[kind].add(id);
  const list = (k: RefKind) => [...wanted[k]];
  const [orders, tiers, customers] = await Promise.all([
    wanted.orders.size ? orderNumbers(ctx.db, orgId, list('orders')) : [],
    wanted.tiers.size ? tierNames(ctx.db, orgId, list('tiers')) : [],
    wanted.customers.size ? customerNames(ctx.db, orgId, list('customers')) : [],
  ]);
  return {
    orders: Object.fromEntries(orders.map((o) => [o.id, o.external_id])),
    tiers: Object.fromEntries(tiers.map((t) => [t.id, t.name])),
    customers: Object.fromEntries(customers.map((c) => [c.id, [c.first_name, c.last_name].filter(Boolean).join(' ') || c.email || 'A customer'])),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The part of the page's references one event names. */
function refsOf(row: ActivityRow, all: Refs): Refs {
  const out: Refs = { orders: {}, tiers: {}, customers: {} };
  for (const [kind, id] of idsIn(row.payload)) {
    const v = all[kind][id];
    if (v !== undefined) out[kind][id] = v;
  }
  return out;
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
  if (!(await customerExists(ctx.db, orgId, customerId))) throw AppError.notFound('Customer', customerId);
  const { page, next } = await keysetPage(
    opts.limit,
    (limit) => listActivity(ctx.db, orgId, customerId, { limit, before: opts.before, ...parseTypes(opts.types) }),
    (last) => ({ at: last.created_at.toISOString(), id: last.id }),
  );
  const refs = await resolveRefs(ctx, orgId, page);
  return { items: page.map((r) => ({ ...toActivityView(r), refs: refsOf(r, refs) })), next };
}
