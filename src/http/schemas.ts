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

/** Standard error replies every authenticated route can give. */
export const errorResponses = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
  409: errorSchema,
  422: errorSchema,
  429: errorSchema,
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
