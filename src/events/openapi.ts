import { z } from 'zod';
import { CATALOG, EVENT_TYPES } from './catalog.js';

/**
 * The catalog as the OpenAPI 3.1 `webhooks` section: one entry per event, the body being
 * the Standard Webhooks envelope a webhook endpoint receives, `{ type, timestamp, data }`,
 * with the event's payload schema as `data`.
 */
export function catalogWebhooks(): Record<string, unknown> {
  const hooks: Record<string, unknown> = {};
  const header = (description: string) => ({ required: true, schema: { type: 'string' }, description });
  for (const type of EVENT_TYPES) {
    const d = CATALOG[type];
    const { $schema: _ignored, ...payload } = z.toJSONSchema(d.payload, { io: 'output' }) as Record<string, unknown>;
    hooks[type] = {
      post: {
        summary: d.description,
        description:
          `Domain event \`${type}\`, version ${d.version}, POSTed to each webhook endpoint subscribed to it after the change committed: ` +
          'at least once (deduplicate on `webhook-id`), one customer\'s events in order, retried with backoff for about a day (docs/integrations.md). ' +
          'Verify the `webhook-signature` with the endpoint\'s secret over the raw body before trusting it.',
        tags: ['Events'],
        parameters: [
          { in: 'header', name: 'webhook-id', ...header('The event id: the same on every attempt and redelivery of this message') },
          { in: 'header', name: 'webhook-timestamp', ...header('Unix seconds when this attempt was signed') },
          {
            in: 'header',
            name: 'webhook-signature',
            ...header('`v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">` keyed by the secret after `whsec_`; two space-separated signatures for 24 hours after a secret rotation'),
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['type', 'timestamp', 'data'],
                additionalProperties: false,
                properties: {
                  type: { type: 'string', const: type },
                  timestamp: { type: 'string', format: 'date-time', description: 'When the event happened' },
                  data: payload,
                },
              },
            },
          },
        },
        responses: {
          '200': { description: 'Received (any 2xx); any other answer or none within 15 s is retried later' },
          '410': { description: 'Gone: Patron disables the endpoint and sends nothing more to it' },
          '429': { description: 'Too many requests: retried after `Retry-After` (also honoured on 503)' },
        },
      },
    };
  }
  return hooks;
}
