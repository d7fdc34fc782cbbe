import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { encodeCursor, isTimeCursor, readCursor, type CursorScope } from '../../http/cursor.js';
import { errorResponses, idParam, listQuery, page } from '../../http/schemas.js';
import { authOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { adjustmentBodySchema, adjustmentReplySchema, ENTRY_KINDS, entrySchema } from './points.schemas.js';
import { adjustPoints, listEntries, setEntryVisibility } from './points.service.js';
import { verifyLedger } from './points.verify.js';

/** The cursor of a list ordered by time then id (400 `cursor` unless this list handed it out). */
export function parseTimeCursor(ctx: AppContext, scope: CursorScope, cursor: string | undefined): { at: Date; id: string } | null {
  const c = readCursor(ctx, scope, cursor, isTimeCursor);
  return c ? { at: new Date(c.t), id: c.id } : null;
}

export function timeCursor(ctx: AppContext, scope: CursorScope, next: { at: string; id: string } | null): string | null {
  return next ? encodeCursor(ctx, scope, { t: next.at, id: next.id }) : null;
}

export async function pointsRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  const tags = ['points'];
  app.post(
    '/api/v1/customers/:id/points/adjustments',
    {
      config: { permission: 'points:adjust' },
      schema: {
        tags,
        summary: 'Add or deduct points by hand, with a reason; replies with the entry and the new balance',
        params: idParam,
        body: adjustmentBodySchema,
        response: { 201: adjustmentReplySchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      return reply.status(201).send(await adjustPoints(ctx, auth.orgId, request.params.id, request.body, auth.actor));
    },
  );
  app.get(
    '/api/v1/customers/:id/points/entries',
    {
      config: { permission: 'customers:read' },
      schema: {
        tags,
        summary: 'The ledger (earning history), newest first',
        params: idParam,
        querystring: listQuery.extend({
          kinds: z
            .string()
            .regex(new RegExp(`^(${ENTRY_KINDS.join('|')})(,(${ENTRY_KINDS.join('|')}))*$`), `must be a comma-separated list of ${ENTRY_KINDS.join(', ')}`)
            .optional(),
        }),
        response: { 200: page(entrySchema), ...errorResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const scope = { list: 'points.entries', orgId: auth.orgId, of: request.params.id };
      const c = parseTimeCursor(ctx, scope, request.query.cursor);
      const kinds = request.query.kinds?.split(',') as (typeof ENTRY_KINDS)[number][] | undefined;
      const r = await listEntries(ctx, auth.orgId, request.params.id, { limit: request.query.limit, before: c ? { createdAt: c.at, id: c.id } : null, kinds });
      return { items: r.items, nextCursor: timeCursor(ctx, scope, r.next ? { at: r.next.createdAt, id: r.next.id } : null) };
    },
  );
  app.patch(
    '/api/v1/customers/:id/points/entries/:entryId',
    {
      config: { permission: 'points:adjust' },
      schema: {
        tags,
        summary: 'Show or hide a ledger entry from the customer (the only change an entry accepts)',
        params: idParam.extend({ entryId: z.string().min(1).max(64) }),
        body: z.object({ visibleToCustomer: z.boolean('must be true or false') }),
        response: { 200: entrySchema, ...errorResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return setEntryVisibility(ctx, auth.orgId, request.params.id, request.params.entryId, request.body.visibleToCustomer, auth.actor);
    },
  );
  app.get(
    '/api/v1/ledger/verify',
    {
      config: { adminOnly: true },
      schema: {
        tags,
        summary: 'Recompute every balance and lot of this organization from the ledger and report mismatches',
        response: {
          200: z.object({
            customersChecked: z.number().int(),
            mismatchCount: z.number().int(),
            ok: z.boolean(),
            mismatches: z.array(z.object({ customerId: z.string(), problem: z.string() })),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const r = await verifyLedger(ctx.db, authOf(request).orgId);
      return {
        customersChecked: r.customersChecked,
        mismatchCount: r.mismatches.length,
        ok: r.mismatches.length === 0,
        mismatches: r.mismatches.slice(0, 100).map((m) => ({ customerId: m.customerId, problem: m.problem })),
      };
    },
  );
}
