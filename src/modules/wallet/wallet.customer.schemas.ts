import { z } from 'zod';
import { preferencesSchema } from '../preferences/index.js';

export const WHERE_MAX = 200;
const CODE_MAX = 64;

const where = (what: string) =>
  z
    .string(`must be text (${what})`)
    .trim()
    .min(1, `must not be empty; leave it out when unknown`)
    .max(WHERE_MAX, `must be at most ${WHERE_MAX} characters`)
    .optional();

export const scanBody = z.object({
  code: z
    .string('is required: the card code the scanner read from the pass (QR code or barcode)')
    .trim()
    .min(1, 'is required: the card code the scanner read from the pass (QR code or barcode)')
    .max(CODE_MAX, `must be at most ${CODE_MAX} characters (a card code has 12)`),
  location: where('the store or place, e.g. "Store 12"').describe('Where the pass was scanned, e.g. "Store 12"'),
  device: where('the till or scanner, e.g. "till 3"').describe('The till or scanner, e.g. "till 3"'),
});

export const tapBody = z
  .object({
    code: z.string('must be text: the card code').trim().min(1, 'must not be empty').max(CODE_MAX, `must be at most ${CODE_MAX} characters (a card code has 12)`).optional(),
    serialNumber: z
      .string('must be text: the pass serial number')
      .trim()
      .regex(/^[0-9a-fA-F]{32}$/, 'must be the pass serial number the reader read (32 hexadecimal characters)')
      .optional(),
    platform: z.enum(['apple', 'google'], 'must be "apple" or "google": the wallet the tapped pass was in'),
    location: where('the store or place, e.g. "Store 12"').describe('Where the reader is, e.g. "Store 12"'),
    device: where('the NFC reader, e.g. "door reader"').describe('The NFC reader, e.g. "door reader"'),
  })
  .superRefine((b, c) => {
    if ((b.code === undefined) === (b.serialNumber === undefined)) {
      c.addIssue({ code: 'custom', path: ['code'], message: 'give exactly one of code (the card code) or serialNumber (the pass serial number the NFC reader read)' });
    }
  });

export const customerSummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    membership: z.enum(['member', 'guest', 'left']),
    balance: z.number().int().describe('Spendable points'),
    tier: z.string().nullable().describe("The tier's name; null without a tier"),
    rewardsAvailable: z.array(z.string()).describe('Names of the rewards the balance can pay for now, cheapest first'),
  })
  .meta({ id: 'WalletCustomerSummary' });

export const interactionReply = z
  .object({
    id: z.string().describe('The recorded scan or tap'),
    at: z.string(),
    location: z.string().nullable(),
    device: z.string().nullable(),
    customer: customerSummarySchema,
  })
  .meta({ id: 'WalletInteraction' });

export const tapReply = interactionReply.extend({ platform: z.enum(['apple', 'google']) }).meta({ id: 'WalletTap' });

export const passTokenParam = z.object({ token: z.string().max(200, 'must be the token of a pass link') });

export const passViewSchema = z
  .object({
    organizationName: z.string(),
    memberName: z.string(),
    balance: z.number().int(),
    tier: z.string().nullable(),
    rewardsAvailable: z.array(z.string()),
    cardCode: z.string().describe('What the QR code on the card carries'),
    preferences: preferencesSchema,
    appleWalletUrl: z.string().nullable().describe('Add to Apple Wallet (the signed .pkpass); null when the organization has not configured Apple Wallet'),
    googleWalletUrl: z.string().nullable().describe('Save to Google Wallet; null when the organization has not configured Google Wallet'),
  })
  .meta({ id: 'PassWebApp' });

const KEYS = ['balance', 'location', 'marketing', 'tier', 'rewardAvailable'] as const;

export const passPreferencesPatch = z
  .object(Object.fromEntries(KEYS.map((k) => [k, z.boolean('must be true or false').optional()])) as Record<(typeof KEYS)[number], z.ZodOptional<z.ZodBoolean>>)
  .refine((b) => KEYS.some((k) => b[k] !== undefined), { message: `give at least one of ${KEYS.join(', ')}`, path: ['balance'] });

export const issuedPassSchema = z
  .object({
    serialNumber: z.string(),
    cardCode: z.string().describe('What the QR code carries; tills send it to POST /api/v1/scans'),
    webAppUrl: z.string().describe("The customer's pass web app, /c/{token} (absolute when PATRON_PUBLIC_URL is set); give it only to the customer"),
  })
  .meta({ id: 'IssuedWalletPass' });
