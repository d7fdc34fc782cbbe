import { z } from 'zod';
import { balancesSchema } from '../customers/index.js';
import { entrySchema } from '../points/index.js';

export const RULE_KINDS = ['signup', 'birthday', 'anniversary', 'custom_action', 'referral'] as const;

export const friendDiscountSchema = z
  .object({
    type: z.enum(['percentage', 'fixed_amount', 'free_shipping'], 'must be percentage, fixed_amount or free_shipping'),
    value: z
      .string()
      .regex(/^\d{1,9}(\.\d{1,4})?$/, 'must be a decimal string such as "10" (percent) or "5.00" (amount)')
      .optional()
      .describe('Percent off, or an amount in the organization currency; not used for free_shipping'),
  })
  .strict()
  .meta({ id: 'FriendDiscount' });

export const ruleConfigSchema = z
  .object({ friendDiscount: friendDiscountSchema.optional().describe('Referral rules: what the referred friend gets') })
  .strict();

export const earningRuleSchema = z
  .object({
    id: z.string(),
    kind: z.enum(RULE_KINDS),
    key: z.string().describe('custom_action: the action key (e.g. instagram_follow); other kinds: the kind'),
    name: z.string(),
    points: z.number().int().describe('For referral rules: points for the referrer'),
    active: z.boolean(),
    perCustomerLimit: z.number().int().nullable().describe('custom_action: how many times one customer may earn it (null = unlimited)'),
    config: ruleConfigSchema,
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'EarningRule' });

export type EarningRuleView = z.infer<typeof earningRuleSchema>;

const points = z.number('must be a number of points').int('must be a whole number of points').min(0, 'must be 0 or more').max(10_000_000, 'must be at most 10,000,000');

export const ruleCreateSchema = z.object({
  kind: z.enum(RULE_KINDS, `must be one of ${RULE_KINDS.join(', ')}`),
  key: z
    .string()
    .regex(/^[a-z0-9_]{1,64}$/, 'must be 1-64 lowercase letters, digits or underscores, e.g. instagram_follow')
    .optional()
    .describe('Required for custom_action; ignored for the other kinds'),
  name: z.string('is required').trim().min(1, 'is required').max(200, 'must be at most 200 characters'),
  points,
  active: z.boolean().optional(),
  perCustomerLimit: z.number().int('must be a whole number').min(1, 'must be at least 1').max(1_000_000).nullable().optional(),
  config: ruleConfigSchema.optional(),
});

export const rulePatchSchema = ruleCreateSchema.omit({ kind: true, key: true }).partial();

export type RuleCreate = z.infer<typeof ruleCreateSchema>;
export type RulePatch = z.infer<typeof rulePatchSchema>;

export const customActionBodySchema = z.object({
  actionKey: z.string('is required: the custom action key, e.g. instagram_follow').regex(/^[a-z0-9_]{1,64}$/, 'must be a custom action key such as instagram_follow'),
});

export const customActionResultSchema = z
  .object({
    entry: entrySchema,
    balances: balancesSchema,
    timesUsed: z.number().int().describe('Times this customer has this action now (removed ones not counted)'),
    limit: z.number().int().nullable(),
  })
  .meta({ id: 'CustomActionResult' });

export const customActionRemovalSchema = z.object({ entry: entrySchema, balances: balancesSchema }).meta({ id: 'CustomActionRemoval' });
