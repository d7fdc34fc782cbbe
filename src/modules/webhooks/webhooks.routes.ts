import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { ID_PATTERN } from '../../db/ids.js';
import { encodeCursor, isTimeCursor, readCursor } from '../../http/cursor.js';
import { errorResponses, idParam, listQuery, page } from '../../http/schemas.js';
import { authOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import * as service from './webhooks.service.js';

const tags = ['webhooks'];
const config = { permission: 'settings:manage' as const };

const eventsField = z
  .array(z.string().max(100))
  .max(100)
  .describe('Catalog event types to receive (see the `webhooks` section of this document), or ["*"] for every event');

const endpointSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string(),
    events: z.array(z.string()).describe('Event types received, or ["*"] for all'),
    enabled: z.boolean(),
    disabledReason: z.string().nullable().describe('Why the endpoint is disabled (410 Gone, a day of failures, or by whom)'),
    disabledAt: z.string().nullable(),
    previousSecretExpiresAt: z.string().nullable().describe('Until when the secret before the last rotation still signs alongside the current one'),
    failingSince: z.string().nullable().describe('First failed attempt since the last success; disabled after 24 hours of failures'),
    lastSuccessAt: z.string().nullable(),
    lastFailureAt: z.string().nullable(),
    deliveries: z.object({ pending: z.number().int(), delivered: z.number().int(), failed: z.number().int() }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'WebhookEndpoint' });

const attemptSchema = z.object({
  attempt: z.number().int().describe('1 for the first attempt of the delivery'),
  startedAt: z.string(),
  durationMs: z.number().int(),
  outcome: z.enum(['delivered', 'failed']),
  responseStatus: z.number().int().nullable().describe('HTTP status of the answer; null when none came (network error, timeout, refused address)'),
  responseExcerpt: z.string().nullable().describe('The first 1,000 characters of the answer'),
  error: z.string().nullable(),
  manual: z.boolean().describe('Made by a redelivery or a test, not by the schedule'),
});

const deliverySchema = z
  .object({
    id: z.string(),
    endpointId: z.string(),
    eventId: z.string().describe('The outbox event id, sent as `webhook-id` (the same on every attempt)'),
    eventType: z.string(),
    kind: z.enum(['event', 'test']),
    status: z.enum(['pending', 'delivered', 'failed']),
    attemptCount: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    lastResponseStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    body: z.string().describe('The exact JSON body sent: { type, timestamp, data }'),
    createdAt: z.string(),
    deliveredAt: z.string().nullable(),
    attempts: z.array(attemptSchema),
  })
  .meta({ id: 'WebhookDelivery' });

const secretReplySchema = z.object({
  endpoint: endpointSchema,
  secret: z.string().describe('The signing secret, `whsec_` + base64; shown in this reply only'),
});

const deliveryParams = z.object({
  id: z.string().regex(ID_PATTERN, 'must be an id returned by the API'),
  deliveryId: z.string().regex(ID_PATTERN, 'must be an id returned by the API'),
});

const endpointBody = {
  url: z.string().min(1).max(2000).describe('Absolute https (or http) URL; private and loopback addresses are refused unless PATRON_WEBHOOKS_ALLOW_PRIVATE=true'),
  events: eventsField,
  description: z.string().max(500),
  enabled: z.boolean(),
};

export async function webhooksRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  app.get(
    '/api/v1/webhook-endpoints',
    { config, schema: { tags, summary: 'Webhook endpoints of this organization (secrets are never shown again)', response: { 200: z.object({ items: z.array(endpointSchema), nextCursor: z.null() }), ...errorResponses } } },
    async (request) => ({ items: await service.listEndpoints(ctx, authOf(request).orgId), nextCursor: null }),
  );
  app.post(
    '/api/v1/webhook-endpoints',
    {
      config: { ...config, secretReply: true },
      schema: {
        tags,
        summary: 'Register a webhook endpoint; its signing secret is in this reply only',
        description:
          'Patron POSTs `{ type, timestamp, data }` to the URL for every subscribed event, signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`). ' +
          '422 when the URL points at a private, loopback or link-local address and the operator has not allowed private targets.',
        body: z.object({ url: endpointBody.url, events: endpointBody.events.optional(), description: endpointBody.description.optional(), enabled: endpointBody.enabled.optional() }),
        response: { 201: secretReplySchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      return reply.status(201).send(await service.createEndpoint(ctx, auth.orgId, request.body, auth.actor));
    },
  );
  app.get(
    '/api/v1/webhook-endpoints/:id',
    { config, schema: { tags, summary: 'One webhook endpoint', params: idParam, response: { 200: endpointSchema, ...errorResponses } } },
    async (request) => service.getEndpoint(ctx, authOf(request).orgId, request.params.id),
  );
  app.patch(
    '/api/v1/webhook-endpoints/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Change an endpoint: URL, events, description, enabled',
        description: 'Enabling a disabled endpoint clears its reason and its failure streak; deliveries that waited meanwhile are sent.',
        params: idParam,
        body: z.object({ url: endpointBody.url.optional(), events: endpointBody.events.optional(), description: endpointBody.description.optional(), enabled: endpointBody.enabled.optional() }),
        response: { 200: endpointSchema, ...errorResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return service.updateEndpoint(ctx, auth.orgId, request.params.id, request.body, auth.actor);
    },
  );
  app.delete(
    '/api/v1/webhook-endpoints/:id',
    { config, schema: { tags, summary: 'Delete an endpoint with its delivery log', params: idParam, response: { 200: endpointSchema, ...errorResponses } } },
    async (request) => service.deleteEndpoint(ctx, authOf(request).orgId, request.params.id),
  );
  app.post(
    '/api/v1/webhook-endpoints/:id/rotate-secret',
    {
      config: { ...config, secretReply: true },
      schema: {
        tags,
        summary: 'Replace the signing secret; the previous one keeps signing alongside it for 24 hours',
        description: 'During the overlap every message carries two signatures (space-separated in `webhook-signature`), so the receiver can switch secrets without losing a message.',
        params: idParam,
        response: { 200: secretReplySchema.extend({ previousSecretExpiresAt: z.string() }), ...errorResponses },
      },
    },
    async (request) => service.rotateSecret(ctx, authOf(request).orgId, request.params.id),
  );
  app.post(
    '/api/v1/webhook-endpoints/:id/test',
    {
      config,
      schema: {
        tags,
        summary: 'Send a `webhook.test` message to the endpoint now and return its delivery with the attempt',
        params: idParam,
        response: { 201: deliverySchema, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await service.sendTest(ctx, authOf(request).orgId, request.params.id)),
  );
  app.get(
    '/api/v1/webhook-endpoints/:id/deliveries',
    {
      config,
      schema: {
        tags,
        summary: 'The delivery log of an endpoint, newest first, each delivery with all its attempts',
        params: idParam,
        querystring: listQuery.extend({ status: z.enum(['pending', 'delivered', 'failed']).optional() }),
        response: { 200: page(deliverySchema), ...errorResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const scope = { list: 'webhook-deliveries', orgId: auth.orgId, of: request.params.id };
      const c = readCursor(ctx, scope, request.query.cursor, isTimeCursor);
      const r = await service.listDeliveries(ctx, auth.orgId, request.params.id, {
        status: request.query.status,
        limit: request.query.limit,
        before: c ? { createdAt: new Date(c.t), id: c.id } : null,
      });
      return { items: r.items, nextCursor: r.next ? encodeCursor(ctx, scope, { t: r.next.createdAt, id: r.next.id }) : null };
    },
  );
  app.get(
    '/api/v1/webhook-endpoints/:id/deliveries/:deliveryId',
    { config, schema: { tags, summary: 'One delivery with all its attempts', params: deliveryParams, response: { 200: deliverySchema, ...errorResponses } } },
    async (request) => service.getDelivery(ctx, authOf(request).orgId, request.params.id, request.params.deliveryId),
  );
  app.post(
    '/api/v1/webhook-endpoints/:id/deliveries/:deliveryId/redeliver',
    {
      config,
      schema: {
        tags,
        summary: 'Send a delivery again now (same webhook-id and body, newly signed) and return it with the new attempt',
        description: 'Any delivery, delivered or failed. 409 when the endpoint is disabled or the delivery is being sent at this moment.',
        params: deliveryParams,
        response: { 200: deliverySchema, ...errorResponses },
      },
    },
    async (request) => service.redeliver(ctx, authOf(request).orgId, request.params.id, request.params.deliveryId),
  );
}
