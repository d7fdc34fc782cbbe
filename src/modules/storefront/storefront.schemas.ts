import { z } from 'zod';
import { moneySchema } from '../../http/schemas.js';

const color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour as #RRGGBB, e.g. "#1f6feb"');
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);

export const themeSchema = z
  .object({
    primaryColor: color.optional().describe('Launcher, buttons and links'),
    textColor: color.optional(),
    backgroundColor: color.optional().describe('The panel background'),
    position: z.enum(['bottom-right', 'bottom-left']).optional(),
    launcherText: text(40).optional().describe('The launcher button label ("Rewards")'),
    title: text(80).optional().describe('The panel title'),
    guestCtaText: text(80).optional().describe("The guest view's sign-up button"),
    guestCtaUrl: z.url('must be an absolute URL such as https://shop.example.com/account/register').max(500).optional().describe('Where the sign-up button goes'),
  })
  .strict()
  .meta({ id: 'StorefrontTheme' });

export const storefrontSettingsSchema = z
  .object({
    publishableKey: z.string().describe('pk_...: safe to put in the store pages; names the organization'),
    secretSet: z.boolean().describe('Whether a signing secret exists (it is never shown again after it is created)'),
    secretRotatedAt: z.string().nullable(),
    allowedOrigins: z.array(z.string()).describe('Origins whose pages may call the storefront API from a browser'),
    theme: themeSchema,
    rateLimits: z.object({ perIpPerMinute: z.number().int(), perCustomerPerMinute: z.number().int() }),
    updatedAt: z.string(),
  })
  .meta({ id: 'StorefrontSettings' });

export const storefrontSettingsPatchSchema = z
  .object({
    allowedOrigins: z.array(z.string().max(300)).max(50).optional().describe('Exact origins such as https://shop.example.com'),
    theme: themeSchema.optional(),
    rateLimits: z
      .object({
        perIpPerMinute: z.number().int().min(1).max(100000).optional(),
        perCustomerPerMinute: z.number().int().min(1).max(100000).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type StorefrontSettingsPatch = z.infer<typeof storefrontSettingsPatchSchema>;

export const secretReplySchema = z
  .object({ secret: z.string().describe('Shown only in this reply: keep it on the store server'), settings: storefrontSettingsSchema })
  .meta({ id: 'StorefrontSecret' });

export const previewBodySchema = z.object({
  customerId: z.string().min(1).max(100),
  view: z.enum(['member', 'guest', 'left']).default('member'),
});

export const previewReplySchema = z.object({ token: z.string(), expiresAt: z.string(), publishableKey: z.string() });

// --- the storefront API ------------------------------------------------------------------

const rewardView = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  pointsCost: z.number().int(),
  description: z.string().describe('What the reward gives, in words ("$5.00 off", "10% off", "Free shipping")'),
  value: moneySchema.nullable(),
  percentOff: z.string().nullable(),
});

export const programSchema = z
  .object({
    organization: z.object({ name: z.string(), currency: z.string() }),
    waysToEarn: z.array(z.object({ kind: z.string(), title: z.string(), description: z.string(), points: z.number().int().nullable() })),
    rewards: z.array(rewardView),
    tiers: z.array(z.object({ id: z.string(), name: z.string(), requirement: z.string(), benefits: z.array(z.string()) })),
    referral: z.object({ referrerPoints: z.number().int(), friendOffer: z.string().nullable() }).nullable(),
    guestEarning: z.boolean(),
    theme: themeSchema,
  })
  .meta({ id: 'StorefrontProgram' });

const couponView = z.object({
  code: z.string(),
  rewardName: z.string(),
  description: z.string(),
  status: z.enum(['active', 'used', 'revoked', 'expired']),
  expiresAt: z.string().nullable(),
  createdAt: z.string(),
});

export const meSchema = z
  .object({
    type: z.enum(['member', 'guest']).describe('A left customer gets 403 NOT_IN_PROGRAM instead'),
    preview: z.boolean().describe('An admin preview: nothing can be changed'),
    customer: z.object({ firstName: z.string().nullable() }).nullable(),
    message: z.string().nullable().describe('For guests: what to do to redeem ("Create an account ...")'),
    balance: z
      .object({
        active: z.number().int(),
        pending: z.number().int(),
        expiringSoon: z.array(z.object({ points: z.number().int(), expiresAt: z.string() })),
        pendingUntil: z.array(z.object({ points: z.number().int(), availableAt: z.string().nullable() })),
      })
      .nullable(),
    pointsWaiting: z.number().int().nullable().describe('Guests with guest earning on: points they keep when they register'),
    tier: z
      .object({
        current: z.object({ id: z.string(), name: z.string() }).nullable(),
        next: z.object({ id: z.string(), name: z.string() }).nullable(),
        progressPercent: z.number().int().min(0).max(100).nullable(),
        message: z.string().nullable().describe('"Spend $180.00 more by 31 Dec for Gold"'),
      })
      .nullable(),
    rewards: z.array(rewardView.extend({ canRedeem: z.boolean(), pointsToGo: z.number().int(), status: z.string().describe('"You can redeem" or "120 points to go"') })),
    history: z.array(z.object({ id: z.string(), points: z.number().int(), pending: z.boolean(), message: z.string(), createdAt: z.string() })),
    coupons: z.array(couponView),
    referral: z
      .object({
        link: z.string().nullable(),
        code: z.string().nullable(),
        referrerPoints: z.number().int().nullable(),
        friendOffer: z.string().nullable(),
        stats: z.object({ clicks: z.number().int(), pending: z.number().int(), completed: z.number().int() }),
      })
      .nullable(),
    preferences: z.object({ balance: z.boolean(), location: z.boolean(), marketing: z.boolean(), tier: z.boolean(), rewardAvailable: z.boolean() }).nullable(),
  })
  .meta({ id: 'StorefrontMe' });

export const redemptionBody = z
  .object({
    rewardId: z.string().min(1).max(100),
    points: z.number().int().positive().optional().describe('Variable rewards only: how many points to spend (a multiple of pointsCost)'),
  })
  .strict();

export const redemptionReply = z
  .object({ coupon: couponView, balance: z.object({ active: z.number().int(), pending: z.number().int() }) })
  .meta({ id: 'StorefrontRedemption' });

export const preferencesBody = z
  .object({
    balance: z.boolean('must be true or false').optional(),
    location: z.boolean('must be true or false').optional(),
    marketing: z.boolean('must be true or false').optional(),
    tier: z.boolean('must be true or false').optional(),
    rewardAvailable: z.boolean('must be true or false').optional(),
  })
  .strict()
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'give at least one of balance, location, marketing, tier, rewardAvailable', path: ['balance'] });

export const preferencesReply = z.object({ balance: z.boolean(), location: z.boolean(), marketing: z.boolean(), tier: z.boolean(), rewardAvailable: z.boolean() });

export const SHARE_CHANNELS = ['copy', 'email', 'facebook', 'x', 'whatsapp', 'sms', 'other'] as const;
export const shareBody = z.object({ channel: z.enum(SHARE_CHANNELS) }).strict();

export const landingQuery = z.object({
  key: z.string().max(100).optional(),
  ref: z.string().max(100).describe('The patron_ref value the referral link added to the landing page address'),
});

export const landingReply = z
  .object({
    valid: z.boolean().describe('Whether this visit started a referral'),
    referrerFirstName: z.string().nullable(),
    friendOffer: z.string().nullable(),
    discountCode: z.string().nullable(),
  })
  .meta({ id: 'StorefrontReferralLanding' });
