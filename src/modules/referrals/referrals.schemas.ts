import { z } from 'zod';
import { ID_PATTERN } from '../../db/ids.js';

export const referralLinkSchema = z
  .object({
    customerId: z.string(),
    code: z.string().nullable(),
    link: z
      .string()
      .nullable()
      .describe(
        "{storefront URL or PATRON_PUBLIC_URL}/r/{code} (never built from the request's Host); null without a link or without a public address (unavailableReason says which)",
      ),
    status: z.enum(['active', 'disabled', 'none']).describe('none: the customer has no link (only members get one)'),
    unavailableReason: z.string().nullable().describe('Why there is no link, or why the link starts no referral (its owner left the program); null otherwise'),
    friendDiscount: z.object({
      code: z.string().nullable().describe("The discount code the friend uses at the store (editable per link)"),
      offer: z.object({ type: z.string(), value: z.string() }).nullable().describe("The referral rule's friend discount"),
    }),
    referrerReward: z.object({ points: z.number().int() }).nullable(),
    stats: z.object({
      clicks: z.number().int().describe('Visits through the link while it was active'),
      pending: z.number().int(),
      completed: z.number().int(),
      conversionRate: z
        .string()
        .nullable()
        .describe('completed / (pending + completed) referrals, as a percentage with one decimal ("33.3"); null before the first referral'),
    }),
  })
  .meta({ id: 'ReferralLink' });

export const referralSchema = z
  .object({
    id: z.string(),
    referrerCustomerId: z.string(),
    friendCustomerId: z.string(),
    clickId: z.string().nullable(),
    status: z.enum(['pending', 'completed']),
    completedOrderId: z.string().nullable(),
    rewardPoints: z.number().int(),
    rewardEntryId: z.string().nullable(),
    createdAt: z.string(),
    completedAt: z.string().nullable(),
  })
  .meta({ id: 'Referral' });

export const referralCreateSchema = z
  .object({
    code: z.string().min(1).max(64).optional().describe('The referral code the friend arrived with'),
    clickId: z.string().regex(ID_PATTERN, 'must be the patron_ref click id').optional().describe('The patron_ref cookie value from /r/{code}'),
    friendCustomerId: z.string('is required').regex(ID_PATTERN, 'must be a customer id returned by the API'),
  })
  .refine((b) => (b.code === undefined) !== (b.clickId === undefined), { message: 'give exactly one of code or clickId', path: ['code'] });

export const discountCodeSchema = z.object({
  code: z
    .string('must be a discount code or null')
    .trim()
    .min(1, 'must not be empty (send null to clear)')
    .max(64, 'must be at most 64 characters')
    .regex(/^[A-Za-z0-9_-]+$/, 'may contain letters, digits, - and _')
    .nullable(),
});

export const referralSettingsSchema = z
  .object({
    landingUrl: z.string().nullable().describe('Where visitors land (absolute http(s) URL); null: the storefront URL, else "/"'),
    storefrontUrl: z.string().nullable().describe('Public address serving /r/{code} for this organization; null: PATRON_PUBLIC_URL'),
    updatedAt: z.string().nullable(),
  })
  .meta({ id: 'ReferralSettings' });

const CONTROL_OR_SPACE = /[\s\\\u0000-\u001f\u007f]/;

/** An absolute http(s) URL with a host and no credentials: nothing a browser could read as a path or another scheme. */
export function isAbsoluteHttpUrl(value: string): boolean {
  if (!/^https?:\/\/[a-z0-9[]/i.test(value) || CONTROL_OR_SPACE.test(value)) return false;
  try {
    const u = new URL(value);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '' && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

const httpUrl = (example: string) =>
  z
    .string('must be an absolute http(s) URL or null')
    .trim()
    .max(2000, 'must be at most 2000 characters')
    .refine(isAbsoluteHttpUrl, `must be an absolute http(s) URL such as ${example} (no relative paths, backslashes or user:password@)`);

export const referralSettingsBody = z
  .object({
    landingUrl: httpUrl('https://shop.example.com/join').nullable().optional().describe('Where visitors land; null clears it'),
    storefrontUrl: httpUrl('https://shop.example.com')
      .refine((v) => !/[?#]/.test(v), 'must be a base address without ? or # (links are {storefrontUrl}/r/{code})')
      .nullable()
      .optional()
      .describe('Public address serving /r/{code} for this organization (the store forwards /r/ to Patron); null clears it'),
  })
  .refine((b) => b.landingUrl !== undefined || b.storefrontUrl !== undefined, { message: 'give landingUrl, storefrontUrl or both', path: ['landingUrl'] });

export const referredFriendSchema = z
  .object({
    id: z.string().describe('The referral'),
    friend: z.object({ id: z.string(), name: z.string().nullable(), email: z.string().nullable() }),
    status: z.enum(['pending', 'completed']).describe('pending until the friend\'s first order completes it'),
    order: z.object({ id: z.string(), externalId: z.string() }).nullable().describe('The order that completed the referral'),
    rewardPoints: z.number().int().describe('Points the referrer earned for it (0 while pending)'),
    createdAt: z.string(),
    completedAt: z.string().nullable(),
  })
  .meta({ id: 'ReferredFriend' });
