import { z } from 'zod';
import { listQuery } from '../../http/schemas.js';

const TYPE_ITEM = '[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*(\\.\\*)?';

export const activityQuery = listQuery.extend({
  types: z
    .string()
    .max(1000)
    .regex(new RegExp(`^${TYPE_ITEM}(,${TYPE_ITEM})*$`), 'must be comma-separated event types such as points.adjusted or prefixes such as points.*')
    .optional()
    .describe('Comma-separated types; `points.*` matches every type starting with `points.`'),
});

export const activityEventSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    summary: z.string(),
    actor: z.object({ type: z.enum(['user', 'api_key', 'system', 'customer', 'integration']), id: z.string().nullable(), name: z.string().nullable() }),
    payload: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    refs: z
      .object({
        orders: z.record(z.string(), z.string()).describe("Order number (the store's externalId) by order id"),
        tiers: z.record(z.string(), z.string()).describe('Tier name by tier id'),
        customers: z.record(z.string(), z.string()).describe('Display name by customer id'),
      })
      .optional()
      .describe('What the ids in `payload` name today (orders, tiers, other customers), so a timeline reads without ids; the customer timeline always includes it'),
  })
  .meta({ id: 'ActivityEvent' });
