import { z } from 'zod';

export const PREFERENCE_TYPES = ['balance', 'location', 'marketing', 'tier', 'rewardAvailable'] as const;

export const preferencesSchema = z
  .object({
    balance: z.boolean().describe('Balance changes'),
    location: z.boolean().describe('Near one of the stores'),
    marketing: z.boolean().describe('Promotions and offers'),
    tier: z.boolean().describe('Tier changes'),
    rewardAvailable: z.boolean().describe('A reward became redeemable'),
  })
  .meta({ id: 'NotificationPreferences' });

export const preferencesPatchSchema = z
  .object(Object.fromEntries(PREFERENCE_TYPES.map((t) => [t, z.boolean('must be true or false').optional()])) as Record<(typeof PREFERENCE_TYPES)[number], z.ZodOptional<z.ZodBoolean>>)
  .refine((b) => PREFERENCE_TYPES.some((t) => b[t] !== undefined), { message: `give at least one of ${PREFERENCE_TYPES.join(', ')}`, path: ['balance'] });
