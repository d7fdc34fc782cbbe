import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { encodeCursor, readCursor } from '../../http/cursor.js';
import { errorResponses, idParam, listQuery, page } from '../../http/schemas.js';
import { authOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { segmentCreateSchema, segmentPatchSchema, segmentSchema } from './segments.schemas.js';
import { createSegment, deleteSegment, getSegment, listSegments, updateSegment } from './segments.service.js';

const isNameCursor = (v: unknown): v is { n: string; id: string } =>
  typeof v === 'object' && v !== null && typeof (v as { n?: unknown }).n === 'string' && typeof (v as { id?: unknown }).id === 'string';

export async function segmentsRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  const tags = ['segments'];
  app.get(
    '/api/v1/segments',
    {
      config: { permission: 'customers:read' },
      schema: { tags, summary: 'Saved customer filters, by name', querystring: listQuery, response: { 200: page(segmentSchema), ...errorResponses } },
    },
    async (request) => {
      const orgId = authOf(request).orgId;
      const scope = { list: 'segments', orgId };
      const c = readCursor(ctx, scope, request.query.cursor, isNameCursor);
      const r = await listSegments(ctx, orgId, c ? { name: c.n, id: c.id } : null, request.query.limit);
      return { items: r.items, nextCursor: r.next ? encodeCursor(ctx, scope, { n: r.next.name, id: r.next.id }) : null };
    },
  );
  app.post(
    '/api/v1/segments',
    {
      config: { permission: 'customers:write' },
      schema: {
        tags,
        summary: 'Save a named filter; use it as segment=<id> in the grid, the export and bulk actions',
        body: segmentCreateSchema,
        response: { 201: segmentSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      return reply.status(201).send(await createSegment(ctx, auth.orgId, request.body, auth.actor));
    },
  );
  app.get(
    '/api/v1/segments/:id',
    { config: { permission: 'customers:read' }, schema: { tags, summary: 'One segment', params: idParam, response: { 200: segmentSchema, ...errorResponses } } },
    async (request) => getSegment(ctx, authOf(request).orgId, request.params.id),
  );
  app.patch(
    '/api/v1/segments/:id',
    {
      config: { permission: 'customers:write' },
      schema: { tags, summary: 'Rename a segment or change its filter', params: idParam, body: segmentPatchSchema, response: { 200: segmentSchema, ...errorResponses } },
    },
    async (request) => updateSegment(ctx, authOf(request).orgId, request.params.id, request.body),
  );
  app.delete(
    '/api/v1/segments/:id',
    {
      config: { permission: 'customers:write' },
      schema: { tags, summary: 'Delete a segment (customers are not affected)', params: idParam, response: { 204: z.null(), ...errorResponses } },
    },
    async (request, reply) => {
      await deleteSegment(ctx, authOf(request).orgId, request.params.id);
      return reply.status(204).send(null);
    },
  );
}
