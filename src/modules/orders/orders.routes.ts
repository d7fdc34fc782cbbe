import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { encodeCursor, readCursor } from '../../http/cursor.js';
import { errorResponses, idParam, listQuery, moneySchema, page } from '../../http/schemas.js';
import { authOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { cancelOrder, fulfilOrder, getOrder, listCustomerOrders, recordOrder, refundOrder } from './orders.service.js';

const orderSchema = z
  .object({
    id: z.string(),
    externalId: z.string(),
    number: z.string().nullable().describe('The number the store shows for the order ("#1001"); null when none was given'),
    customerId: z.string(),
    status: z.enum(['pending', 'paid', 'fulfilled', 'cancelled']),
    total: moneySchema,
    eligibleAmount: moneySchema,
    refunded: moneySchema,
    eligibleRefunded: moneySchema.describe('The part of the eligible amount refunded so far (points are reversed in its proportion)'),
    discountCodes: z.array(z.string()),
    placedAt: z.string(),
    fulfilledAt: z.string().nullable(),
    cancelledAt: z.string().nullable(),
    pointsEarned: z.number().int(),
    pointsReversed: z.number().int(),
    explanation: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'Order' });

const refundSchema = z
  .object({
    id: z.string(),
    refundId: z.string(),
    amount: moneySchema,
    eligibleAmount: moneySchema.nullable().describe('The eligible amount this refund took back; null for refunds recorded before it was kept'),
    pointsReversed: z.number().int(), reason: z.string().nullable(), createdAt: z.string() })
  .meta({ id: 'Refund' });

const moneyInput = z.object({
  amount: z.string('must be a decimal string such as "12.34"').regex(/^\d{1,13}(\.\d{1,3})?$/, 'must be a decimal string such as "12.34" (no sign, no exponent)'),
  currency: z.string('must be a 3-letter ISO 4217 code').regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO 4217 code such as "USD"'),
});

const isOrderCursor = (v: unknown): v is { p: string; id: string } =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as { p?: unknown }).p === 'string' &&
  !Number.isNaN(Date.parse((v as { p: string }).p)) &&
  typeof (v as { id?: unknown }).id === 'string';

export async function ordersRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  const tags = ['orders'];
  app.post(
    '/api/v1/orders',
    {
      config: { permission: 'customers:write' },
      schema: {
        tags,
        summary: 'Record an order (idempotent by externalId); earns points once per the program',
        description: 'Sending the same externalId again never earns twice; a later status (paid, fulfilled, cancelled) moves the order forward. 201 when created, 200 otherwise.',
        body: z.object({
          externalId: z.string().min(1).max(100).describe('The platform order id, as a string'),
          number: z.string().trim().min(1).max(100).optional().describe('The number the store shows for the order, such as "#1001"'),
          customerId: z.string().max(64).optional(),
          customerExternalId: z.string().max(100).optional(),
          total: moneyInput,
          eligibleAmount: moneyInput.optional().describe('Amount that earns points (defaults to total)'),
          status: z.enum(['pending', 'paid', 'fulfilled', 'cancelled']).optional().describe('Defaults to paid'),
          discountCodes: z.array(z.string().min(1).max(100)).max(50).optional(),
          placedAt: z.iso.datetime({ offset: true }).optional(),
        }),
        response: { 200: orderSchema, 201: orderSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const r = await recordOrder(ctx, auth.orgId, request.body, auth.actor);
      return reply.status(r.created ? 201 : 200).send(r.order);
    },
  );
  app.get(
    '/api/v1/orders/:id',
    {
      config: { permission: 'customers:read' },
      schema: { tags, summary: 'One order with its refunds', params: idParam, response: { 200: orderSchema.extend({ refunds: z.array(refundSchema) }), ...errorResponses } },
    },
    async (request) => getOrder(ctx, authOf(request).orgId, request.params.id),
  );
  app.post(
    '/api/v1/orders/:id/refunds',
    {
      config: { permission: 'customers:write' },
      schema: {
        tags,
        summary: 'Refund part or all of an order; reverses points in proportion to the eligible amount refunded',
        description:
          'Points come back in proportion to the eligible amount refunded over the order\'s eligible amount, never more in total than the order earned. ' +
          'Send `eligibleAmount` (the refunded items after their discounts, without shipping and tax); without it the refunded money counts in the order\'s proportion of eligible amount to total. ' +
          'A refundId reverses once: repeating it replies 200 with the first result.',
        params: idParam,
        body: z.object({
          amount: moneyInput.describe('The money returned to the customer'),
          eligibleAmount: moneyInput.optional().describe('The part of the eligible amount this refund takes back; at most what is left of it'),
          refundId: z.string().min(1).max(100).optional(),
          reason: z.string().max(500).optional(),
        }),
        response: { 200: z.object({ order: orderSchema, refund: refundSchema }), 201: z.object({ order: orderSchema, refund: refundSchema }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const r = await refundOrder(ctx, auth.orgId, request.params.id, request.body, auth.actor);
      return reply.status(r.created ? 201 : 200).send({ order: r.order, refund: r.refund });
    },
  );
  app.post(
    '/api/v1/orders/:id/cancel',
    {
      config: { permission: 'customers:write' },
      schema: { tags, summary: 'Cancel an order; reverses all the points it still holds', params: idParam, body: z.object({ reason: z.string().max(500).optional() }).optional(), response: { 200: orderSchema, ...errorResponses } },
    },
    async (request) => {
      const auth = authOf(request);
      return cancelOrder(ctx, auth.orgId, request.params.id, request.body?.reason, auth.actor);
    },
  );
  app.post(
    '/api/v1/orders/:id/fulfil',
    {
      config: { permission: 'customers:write' },
      schema: { tags, summary: 'Mark an order fulfilled (activates points that waited for fulfilment)', params: idParam, response: { 200: orderSchema, ...errorResponses } },
    },
    async (request) => {
      const auth = authOf(request);
      return fulfilOrder(ctx, auth.orgId, request.params.id, auth.actor);
    },
  );
  app.get(
    '/api/v1/customers/:id/orders',
    {
      config: { permission: 'customers:read' },
      schema: { tags, summary: "The customer's orders, newest first", params: idParam, querystring: listQuery, response: { 200: page(orderSchema), ...errorResponses } },
    },
    async (request) => {
      const auth = authOf(request);
      const scope = { list: 'orders', orgId: auth.orgId, of: request.params.id };
      const c = readCursor(ctx, scope, request.query.cursor, isOrderCursor);
      const r = await listCustomerOrders(ctx, auth.orgId, request.params.id, request.query.limit, c ? { placedAt: new Date(c.p), id: c.id } : null);
      return { items: r.items, nextCursor: r.next ? encodeCursor(ctx, scope, { p: r.next.placedAt, id: r.next.id }) : null };
    },
  );
}
