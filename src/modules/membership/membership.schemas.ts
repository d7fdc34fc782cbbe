import { z } from 'zod';
import { ID_PATTERN } from '../../db/ids.js';
import { customerFilterSchema } from '../grid/index.js';

const MEMBERSHIP = ['member', 'guest', 'left'] as const;

export const membershipBodySchema = z.object({
  type: z.enum(MEMBERSHIP, 'must be member, guest or left'),
});

export const BULK_MAX_IDS = 10_000;

export const bulkMembershipBodySchema = z.object({
  type: z.enum(MEMBERSHIP, 'must be member, guest or left'),
  ids: z
    .array(z.string().regex(ID_PATTERN, 'must be customer ids returned by the API'))
    .min(1, 'must list at least one customer')
    .max(BULK_MAX_IDS, `must list at most ${BULK_MAX_IDS} customers (use a filter for more)`)
    .optional(),
  filter: customerFilterSchema.optional().describe('The grid filter; every matching customer is changed'),
});

export type BulkMembershipBody = z.infer<typeof bulkMembershipBodySchema>;

export const bulkOutcomeSchema = z
  .object({
    customerId: z.string(),
    status: z.enum(['ok', 'refused']),
    code: z.string().nullable().describe('Why it was refused, e.g. MEMBERSHIP_TRANSITION_INVALID, CUSTOMER_ANONYMIZED, NOT_FOUND'),
    message: z.string().nullable(),
  })
  .meta({ id: 'BulkMembershipOutcome' });

export type BulkOutcome = z.infer<typeof bulkOutcomeSchema>;

export const bulkMembershipResultSchema = z
  .object({
    status: z.enum(['done', 'queued']).describe('queued: a background job runs it; follow GET /api/v1/jobs/{jobId}'),
    jobId: z.string().nullable(),
    total: z.number().int().describe('Customers selected'),
    changed: z.number().int(),
    refused: z.number().int(),
    outcomes: z.array(bulkOutcomeSchema).describe('One per customer when done here; empty when queued (the job result lists refusals)'),
  })
  .meta({ id: 'BulkMembershipResult' });

export type BulkMembershipResult = z.infer<typeof bulkMembershipResultSchema>;

export const membershipPreviewQuerySchema = z.object({
  type: z.enum(MEMBERSHIP, 'must be member, guest or left'),
});

export const membershipPreviewSchema = z
  .object({
    from: z.enum(MEMBERSHIP),
    to: z.enum(MEMBERSHIP),
    allowed: z.boolean().describe('Whether the program allows this move from the current type'),
    welcomeBonus: z
      .object({ points: z.number().int(), ruleName: z.string() })
      .nullable()
      .describe('The points becoming a member would also credit (the signup rule, once per customer); null when none'),
  })
  .meta({ id: 'MembershipChangePreview' });
