import { z } from 'zod';
import { ID_PATTERN } from '../db/ids.js';

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.record(z.string(), z.unknown()),
    }),
  })
  .meta({ id: 'Error' });

/**
 * The same shape, not registered as a component: marks the standard errors of a route.
 * The OpenAPI document replaces them with the statuses the route's configuration can
 * produce (src/http/openapi.ts); a status named with `errorSchema` is always listed.
 */
const standardError = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()) }),
});
export const standardErrors: ReadonlySet<unknown> = new Set([standardError]);

/** The standard error replies (`...errorResponses`); the document lists those the route can give. */
export const errorResponses = {
  400: standardError,
  401: standardError,
  403: standardError,
  404: standardError,
  409: standardError,
  413: standardError,
  415: standardError,
  422: standardError,
  429: standardError,
} as const;

export const idParam = z.object({ id: z.string().regex(ID_PATTERN, 'must be an id returned by the API') });

export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});

export const moneySchema = z
  .object({
    amount: z.string().regex(/^-?\d{1,15}(\.\d{1,4})?$/, 'must be a decimal string such as "12.34"'),
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO 4217 code such as "USD"'),
  })
  .meta({ id: 'Money' });

export const timestamp = z.iso.datetime({ offset: true });

export function page<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** Keyset cursors: one signed codec for every list, in ./cursor.ts. */
