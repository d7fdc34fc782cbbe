import { z } from 'zod';
import { ID_PATTERN } from '../../db/ids.js';
import { customerFilterSchema } from '../grid/index.js';
import { jobViewSchema } from '../jobs-api/index.js';

export const MAX_BULK_IDS = 10_000;

export const bulkPointsBodySchema = z
  .object({
    ids: z
      .array(z.string().regex(ID_PATTERN, 'must be customer ids'))
      .min(1, 'must name at least one customer')
      .max(MAX_BULK_IDS, `must name at most ${MAX_BULK_IDS} customers; use a filter or segment for more`)
      .optional()
      .describe('A selection of customers'),
    filter: customerFilterSchema.optional().describe('Every customer matching the grid filter when the job starts'),
    segmentId: z.string().regex(ID_PATTERN, 'must be a segment id').optional().describe('Every customer in the segment when the job starts'),
    direction: z.enum(['add', 'deduct']),
    points: z.number('must be a whole number of points').int('must be a whole number of points').min(1, 'must be at least 1').max(10_000_000, 'must be at most 10,000,000'),
    reason: z.string('is required: say why the points change').trim().min(1, 'is required: say why the points change').max(500),
    customerMessage: z.string().trim().max(500).optional(),
    visibleToCustomer: z.boolean().optional(),
    countsTowardTier: z.boolean().optional(),
  })
  .refine((b) => [b.ids, b.filter, b.segmentId].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one of ids, filter or segmentId',
    path: ['ids'],
  });

export type BulkPointsBody = z.infer<typeof bulkPointsBodySchema>;

export const bulkAcceptedSchema = z.object({ jobId: z.string(), job: jobViewSchema }).meta({ id: 'BulkAccepted' });

export const outcomeSchema = z
  .object({
    customerId: z.string(),
    status: z.enum(['ok', 'refused']),
    code: z.string().nullable().describe('Why it was refused, e.g. POINTS_INSUFFICIENT, CUSTOMER_ANONYMIZED, NOT_FOUND'),
    message: z.string().nullable(),
    balanceAfter: z.number().int().nullable().describe('Active points after the change (ok only)'),
    entryId: z.string().nullable(),
  })
  .meta({ id: 'BulkOutcome' });
