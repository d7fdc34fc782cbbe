import { z } from 'zod';
import { moneySchema } from '../../http/schemas.js';
import { balancesSchema } from '../customers/index.js';
import { pointsAmount } from '../points/index.js';
import { REWARD_TYPES } from './rewards.tables.js';

export const moneyInput = z.object({
  amount: z.string('must be a decimal string such as "5.00"').regex(/^\d{1,13}(\.\d{1,4})?$/, 'must be a decimal string such as "5.00" (no sign, no exponent)'),
  currency: z.string('must be a 3-letter ISO 4217 code').regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO 4217 code such as "USD"'),
});

const actorSchema = z.object({ type: z.string(), id: z.string().nullable(), name: z.string().nullable() });

export const rewardSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.enum(REWARD_TYPES),
    pointsCost: z.number().int().describe('Points one coupon costs; for variable rewards, the points per step of `value`'),
    value: moneySchema.nullable().describe('Discount value (variable rewards: the value of each `pointsCost` points)'),
    percentOff: z.string().nullable().describe('Percentage rewards: percent off as a decimal string, e.g. "10"'),
    productRef: z.string().nullable().describe('Free product rewards: the store product reference'),
    maxPoints: z.number().int().nullable().describe('Variable rewards: the most points one coupon may take'),
    minimumOrder: moneySchema.nullable(),
    couponValidityDays: z.number().int().nullable().describe('Coupons expire this many days after issue; null = never'),
    codePrefix: z.string().nullable(),
    active: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Reward' });

const rewardFields = {
  name: z.string('is required').trim().min(1, 'is required').max(200, 'must be at most 200 characters'),
  pointsCost: pointsAmount,
  value: moneyInput.nullable().optional(),
  percentOff: z
    .string('must be a decimal string such as "10" or "12.5"')
    .regex(/^\d{1,3}(\.\d{1,2})?$/, 'must be a decimal string such as "10" or "12.5"')
    .nullable()
    .optional(),
  productRef: z.string().trim().min(1).max(200).nullable().optional(),
  maxPoints: pointsAmount.nullable().optional(),
  minimumOrder: moneyInput.nullable().optional(),
  couponValidityDays: z.number('must be a number of days').int('must be a whole number of days').min(1, 'must be at least 1').max(3650, 'must be at most 3650').nullable().optional(),
  codePrefix: z.string().regex(/^[A-Za-z0-9]{1,16}$/, 'must be 1-16 letters or digits').nullable().optional(),
  active: z.boolean('must be true or false').optional(),
};

export const rewardCreateSchema = z.object({ ...rewardFields, type: z.enum(REWARD_TYPES, `must be one of ${REWARD_TYPES.join(', ')}`) });
export const rewardPatchSchema = z
  .object(rewardFields)
  .partial()
  .extend({ type: z.never('cannot change; create a new reward and set active to false on this one').optional() });

export type RewardCreate = z.infer<typeof rewardCreateSchema>;
export type RewardPatch = z.infer<typeof rewardPatchSchema>;

export const COUPON_STATUSES = ['active', 'used', 'revoked', 'expired'] as const;

export const couponSchema = z
  .object({
    id: z.string(),
    code: z.string(),
    customerId: z.string(),
    reward: z.object({ id: z.string(), name: z.string(), type: z.enum(REWARD_TYPES) }),
    value: moneySchema.nullable(),
    percentOff: z.string().nullable(),
    productRef: z.string().nullable(),
    minimumOrder: moneySchema.nullable(),
    pointsCost: z.number().int().describe('Points deducted for this coupon (0 when given without deduction)'),
    issuedVia: z.enum(['redemption', 'gift']),
    status: z.enum(COUPON_STATUSES),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    usedAt: z.string().nullable(),
    usedOrder: z.object({ id: z.string(), externalId: z.string() }).nullable(),
    revokedAt: z.string().nullable(),
    revokeReason: z.string().nullable(),
    expiredAt: z.string().nullable(),
    issuedBy: actorSchema,
    store: z
      .object({
        state: z.enum(['pending', 'live', 'failed', 'deactivated']).describe('pending: being created in the store; live: usable at the checkout; failed: the store refused it (see error); deactivated: switched off after a revoke'),
        discountId: z.string().nullable().describe("The store's id of the discount (a Shopify GID)"),
        error: z.string().nullable().describe('Why the store refused the code or could not be reached, as it said'),
        attempts: z.number().int(),
        updatedAt: z.string().nullable(),
      })
      .nullable()
      .describe("The coupon's discount code in the connected store (Shopify); null when no store is connected"),
  })
  .meta({ id: 'Coupon' });

export const couponResultSchema = z
  .object({ coupon: couponSchema, balances: balancesSchema, pointsRestored: z.number().int().optional() })
  .meta({ id: 'CouponResult' });

export const redemptionBodySchema = z.object({
  rewardId: z.string('is required').min(1, 'is required').max(64),
  points: pointsAmount.optional().describe('Variable rewards only: how many points to spend'),
});

export const giveBodySchema = z.object({
  rewardId: z.string('is required').min(1, 'is required').max(64),
  deductPoints: z.boolean('must be true or false'),
});

export const revokeBodySchema = z.object({ reason: z.string().trim().max(500, 'must be at most 500 characters').optional() }).optional();
