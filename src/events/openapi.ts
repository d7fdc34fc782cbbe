import { z } from 'zod';
import { CATALOG, EVENT_TYPES } from './catalog.js';

/**
 * The catalog as the OpenAPI 3.1 `webhooks` section: one entry per event, the body being
 * the envelope every consumer receives with the event's payload schema.
 */
export function catalogWebhooks(): Record<string, unknown> {
  const hooks: Record<string, unknown> = {};
  for (const type of EVENT_TYPES) {
    const d = CATALOG[type];
    const { $schema: _ignored, ...payload } = z.toJSONSchema(d.payload, { io: 'output' }) as Record<string, unknown>;
    hooks[type] = {
      post: {
        summary: d.description,
        description: `Domain event \`${type}\`, version ${d.version}. Delivered after the change committed, to each consumer on its own, retried with backoff; one customer's events in order.`,
        tags: ['Events'],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['id', 'type', 'version', 'orgId', 'createdAt', 'payload'],
                additionalProperties: false,
                properties: {
                  id: { type: 'string', description: 'Event id (time-ordered, unique per organization)' },
                  type: { type: 'string', const: type },
                  version: { type: 'integer', const: d.version },
                  orgId: { type: 'string' },
                  createdAt: { type: 'string', format: 'date-time' },
                  payload,
                },
              },
            },
          },
        },
        responses: { '200': { description: 'Received; any other answer is retried later' } },
      },
    };
  }
  return hooks;
}
