import { z } from 'zod';
import { balancesSchema } from '../customers/index.js';

export const ENTRY_KINDS = [
  'earn_order',
  'earn_rule',
  'manual_add',
  'manual_deduct',
  'redeem',
  'coupon_refund',
  'order_reversal',
  'rule_reversal',
  'expiry',
  'activation',
] as const;

export const entrySchema = z
  .object({
    id: z.string(),
    kind: z.enum(ENTRY_KINDS),
    points: z.number().int().describe('Signed change of the total (active + pending)'),
    activeDelta: z.number().int(),
    pendingDelta: z.number().int(),
    reason: z.string(),
    customerMessage: z.string().nullable(),
    visibleToCustomer: z.boolean(),
    countsTowardTier: z.boolean(),
    explanation: z.string(),
    source: z.object({ type: z.string(), id: z.string() }).nullable(),
    actor: z.object({ type: z.string(), id: z.string().nullable(), name: z.string().nullable() }),
    balanceAfter: z.number().int().describe('Active balance after this entry'),
    createdAt: z.string(),
  })
  .meta({ id: 'LedgerEntry' });

export const pointsAmount = z
  .number('must be a number of points')
  .int('must be a whole number of points')
  .min(1, 'must be at least 1')
  .max(10_000_000, 'must be at most 10,000,000');

export const adjustmentBodySchema = z.object({
  direction: z.enum(['add', 'deduct'], 'must be "add" or "deduct"'),
  points: pointsAmount,
  reason: z
    .string('is required: say why the points change')
    .trim()
    .min(1, 'is required: say why the points change')
    .max(500, 'must be at most 500 characters'),
  customerMessage: z.string().trim().max(500, 'must be at most 500 characters').optional(),
  visibleToCustomer: z.boolean().optional(),
  countsTowardTier: z.boolean().optional(),
});

export const adjustmentReplySchema = z.object({ entry: entrySchema, balances: balancesSchema }).meta({ id: 'AdjustmentResult' });
