import { z } from 'zod';
import { moneySchema } from '../../http/schemas.js';

export const balancesSchema = z
  .object({
    active: z.number().int(),
    pending: z.number().int(),
    earned: z.number().int(),
    redeemed: z.number().int(),
    adjusted: z.number().int().describe('Net manual adjustments'),
    expired: z.number().int(),
    reversed: z.number().int(),
  })
  .meta({ id: 'Balances' });

export const customerSchema = z
  .object({
    id: z.string(),
    externalId: z.string().nullable(),
    email: z.string().nullable(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    name: z.string(),
    phone: z.string().nullable(),
    birthday: z.string().nullable(),
    anniversary: z.string().nullable(),
    accountState: z.enum(['registered', 'guest']),
    emailVerified: z.boolean(),
    membershipType: z.enum(['member', 'guest', 'left']),
    allowedMembershipMoves: z.array(z.enum(['member', 'guest', 'left'])),
    balances: balancesSchema,
    tier: z
      .object({
        id: z.string(),
        name: z.string(),
        progress: z
          .union([z.number().int(), z.string()])
          .describe('Progress in the current window: a decimal money string in the organization currency ("110.50") when the tier basis is amount_spent, an integer for points_earned and orders_count'),
        manual: z.boolean().describe('The tier was assigned by staff ("manually assigned"); see docs/tiers.md'),
        manualTier: z
          .object({ id: z.string(), name: z.string() })
          .nullable()
          .describe('The manually assigned tier (the floor the assessment never goes below); differs from the tier when qualifying activity raised it above; null when not manual'),
        reason: z.string().describe('Why the customer holds this tier, in one sentence ("Earned by progress: 300.00 USD in total (Silver starts at 250.00 USD)")'),
        downgradePending: z
          .object({
            to: z.object({ id: z.string(), name: z.string() }).nullable().describe('The tier the customer moves down to; null: no tier'),
            at: z.string().describe('When it takes effect: the first daily assessment on or after this time applies it'),
            reason: z.string().describe('Why, and what would prevent it'),
          })
          .nullable()
          .describe('The downgrade coming if the customer has no further qualifying activity; null when none is coming'),
        achievedAt: z.string().nullable(),
        qualifyingOrderId: z.string().nullable(),
        updatedAt: z.string().nullable(),
        next: z
          .object({
            id: z.string(),
            name: z.string(),
            missing: z.union([z.number().int(), z.string()]).describe('What the next tier still needs, in the same representation as progress'),
            explanation: z.string(),
          })
          .nullable(),
      })
      .nullable(),
    orders: z.object({ count: z.number().int(), lifetimeValue: moneySchema }),
    referralStats: z
      .object({
        clicks: z.number().int(),
        pending: z.number().int(),
        completed: z.number().int(),
        conversionRate: z.string().nullable().describe('completed / (pending + completed) in percent, one decimal; null before any referral'),
      })
      .describe('Referrals this customer made'),
    marketingSync: z
      .array(
        z.object({
          tool: z.string(),
          label: z.string(),
          state: z.enum(['pending', 'synced', 'failed', 'skipped']),
          reason: z.string().nullable(),
          lastSyncedAt: z.string().nullable(),
          consent: z.enum(['subscribed', 'unsubscribed', 'never_subscribed']).nullable(),
        }),
      )
      .describe('The customer in each connected marketing tool (Klaviyo, Omnisend): sync state, the error or reason, last sync, email consent read back; empty when none is connected'),
    note: z.object({ text: z.string(), updatedAt: z.string().nullable(), updatedBy: z.string().nullable() }).nullable(),
    excludedFromReports: z.boolean(),
    anonymizedAt: z.string().nullable(),
    notificationPreferences: z.object({
      balance: z.boolean(),
      location: z.boolean(),
      marketing: z.boolean(),
      tier: z.boolean(),
      rewardAvailable: z.boolean(),
    }),
    lastActivityAt: z.string().nullable(),
    lastSyncedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Customer' });

export type CustomerView = z.infer<typeof customerSchema>;

const optionalText = (max: number) => z.string().trim().max(max).nullable().optional();

export const customerUpsertSchema = z.object({
  externalId: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe('The platform customer id, always a string (64-bit ids do not fit a JSON number)'),
  email: z.email('must be an email address').max(254).nullable().optional(),
  firstName: optionalText(100),
  lastName: optionalText(100),
  phone: z
    .string()
    .regex(/^\+?[0-9 ()./-]{4,30}$/, 'must be a phone number such as +1 555 123 4567')
    .nullable()
    .optional(),
  accountState: z.enum(['registered', 'guest']).optional(),
  emailVerified: z.boolean().optional(),
  birthday: z.iso.date('must be a date YYYY-MM-DD').nullable().optional(),
  anniversary: z.iso.date('must be a date YYYY-MM-DD').nullable().optional(),
});

export type CustomerUpsert = z.infer<typeof customerUpsertSchema>;
