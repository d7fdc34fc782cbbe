import { z } from 'zod';

export const TIER_BASES = ['points_earned', 'amount_spent', 'orders_count'] as const;
export const TIER_WINDOWS = ['lifetime', 'calendar_year', 'rolling_12_months'] as const;

const BASIS_UNITS =
  'One representation per basis, everywhere (profile, grid, CSV, tiers, PUT .../tier): for amount_spent the decimal money string of the organization currency ("110.50"); for points_earned and orders_count an integer (1200).';

/** Tier progress, a threshold or what is missing, in the basis representation (see tier settings). */
export const basisValueSchema = z
  .union([z.number().int(), z.string().regex(/^-?\d{1,15}(\.\d{1,4})?$/)])
  .describe(BASIS_UNITS);

export type BasisValue = number | string;

/** Input: the same representation; the tier basis decides which one is accepted (400 names the field otherwise). */
const basisInput = (what: string) =>
  z
    .union(
      [
        z.number().int('must be a whole number'),
        z.string().regex(/^\d{1,13}(\.\d{1,4})?$/, 'must be a non-negative decimal string such as "500.00"'),
      ],
      `must be ${what} in the tier basis: a decimal money string such as "500.00" (amount_spent) or an integer such as 1000 (points_earned, orders_count)`,
    )
    .describe(`${what}. ${BASIS_UNITS}`);

export const tierSettingsSchema = z
  .object({
    basis: z.enum(TIER_BASES).describe('What tier progress counts: points earned, amount spent (net of refunds) or orders'),
    window: z.enum(TIER_WINDOWS).describe('Qualification window: lifetime, calendar year (organization timezone) or rolling 12 months'),
    graceDays: z.number().int().describe('Days after the window ends before a downgrade takes effect'),
    updatedAt: z.string().nullable(),
  })
  .meta({ id: 'TierSettings' });

export const tierSettingsBodySchema = z.object({
  basis: z.enum(TIER_BASES, `must be one of ${TIER_BASES.join(', ')}`),
  window: z.enum(TIER_WINDOWS, `must be one of ${TIER_WINDOWS.join(', ')}`),
  graceDays: z.number('must be a number of days').int('must be a whole number of days').min(0, 'must be 0 or more').max(365, 'must be at most 365'),
});

export const tierSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    rank: z.number().int().describe('1 for the lowest tier'),
    threshold: basisValueSchema.describe(`Progress needed to enter the tier. ${BASIS_UNITS}`),
    earnMultiplier: z.string().describe('Order earnings are multiplied by this decimal, e.g. "1.5"'),
    birthdayPoints: z.number().int().nullable().describe('Replaces the birthday rule points for customers in this tier; null uses the rule'),
    entryPoints: z.number().int().describe('Points credited once per customer on first entering this tier'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Tier' });

export type TierView = z.infer<typeof tierSchema>;

const points = z.number('must be a number of points').int('must be a whole number of points').min(0, 'must be 0 or more').max(10_000_000, 'must be at most 10,000,000');
const threshold = basisInput('Progress needed to enter the tier');
const multiplier = z
  .string('must be a decimal string such as "1.5"')
  .regex(/^\d{1,2}(\.\d{1,4})?$/, 'must be a decimal string such as "1.5" (up to 4 decimals)');

export const tierCreateSchema = z.object({
  name: z.string('is required').trim().min(1, 'is required').max(100, 'must be at most 100 characters'),
  threshold,
  earnMultiplier: multiplier.optional(),
  birthdayPoints: points.nullable().optional(),
  entryPoints: points.optional(),
});

export const tierPatchSchema = tierCreateSchema.partial();

export type TierCreate = z.infer<typeof tierCreateSchema>;
export type TierPatch = z.infer<typeof tierPatchSchema>;

export const customerTierBodySchema = z.object({
  tierId: z.string('is required: the id of the tier to assign').min(1, 'is required').max(64),
  tierProgress: basisInput('Set the progress too').optional(),
  reason: z.string().trim().max(500, 'must be at most 500 characters').optional(),
  grantEntryReward: z
    .boolean('must be true or false')
    .optional()
    .describe("Moving the customer up grants the new tier's entry reward (once per customer) unless this is false; a skipped reward is recorded in the timeline. Default true"),
});

export const tierChangePreviewQuerySchema = z.object({
  tierId: z.string('is required: the id of the tier to assign').min(1, 'is required').max(64),
});

export const tierChangePreviewSchema = z
  .object({
    tier: z.object({ id: z.string(), name: z.string() }),
    direction: z.enum(['up', 'down', 'same']).describe("Compared with the customer's tier now"),
    entryReward: z
      .object({ points: z.number().int(), tierName: z.string() })
      .nullable()
      .describe('The points this change would also credit (the tier entry reward), unless grantEntryReward is false; null when none'),
  })
  .meta({ id: 'TierChangePreview' });

export const customerTierProgressBodySchema = z.object({
  tierProgress: basisInput('The progress to set'),
  reason: z.string().trim().max(500, 'must be at most 500 characters').optional(),
});
