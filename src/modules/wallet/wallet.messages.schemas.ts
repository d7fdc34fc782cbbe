import { z } from 'zod';
import { ID_PATTERN } from '../../db/ids.js';
import { timestamp } from '../../http/schemas.js';
import { senderProblem } from './wallet.messages.mail.js';

/** What a push can say: Apple shows it as the pass's change message, Google as an object message. */
export const MESSAGE_MAX = 300;

const message = z
  .string()
  .trim()
  .min(1, 'must not be empty: write the text the customer will see')
  .max(MESSAGE_MAX, `must be at most ${MESSAGE_MAX} characters (a wallet notification shows a short text)`);

const color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a color as #rrggbb, such as #1f2a44').transform((v) => v.toLowerCase());

export const walletSettingsSchema = z
  .object({
    terms: z.string().describe('Shown on the back of the pass'),
    mailFrom: z.string().describe('Sender of "send loyalty card" e-mails; empty = the server default'),
    backgroundColor: z.string(),
    foregroundColor: z.string(),
    email: z
      .object({
        configured: z.boolean().describe('Whether the server has an SMTP server (PATRON_SMTP_URL)'),
        sender: z.string().nullable().describe('The sender e-mails go out with: mailFrom, else the server default PATRON_SMTP_FROM'),
      })
      .describe('What the server can send'),
    updatedAt: z.string().nullable(),
  })
  .meta({ id: 'WalletSettings' });

export const walletSettingsPatchSchema = z.object({
  terms: z.string().max(2000, 'must be at most 2,000 characters').optional(),
  mailFrom: z
    .string()
    .trim()
    .superRefine((v, c) => {
      const problem = v === '' ? null : senderProblem(v);
      if (problem) c.addIssue({ code: 'custom', message: problem });
    })
    .optional()
    .describe('"Name <address>" or an address; empty = the server default PATRON_SMTP_FROM'),
  backgroundColor: color.optional(),
  foregroundColor: color.optional(),
});
export type WalletSettingsPatch = z.infer<typeof walletSettingsPatchSchema>;

export const sendCardResultSchema = z
  .object({
    to: z.string().describe('The address the e-mail went to'),
    platforms: z.array(z.enum(['apple', 'google'])).describe('Platforms whose links the e-mail carries'),
    links: z.object({ apple: z.string().nullable(), google: z.string().nullable(), webApp: z.string() }),
    sentAt: z.string(),
  })
  .meta({ id: 'WalletCardSent' });

export const pushBodySchema = z.object({ message });

const platformOutcome = z.object({ delivered: z.number().int(), failed: z.number().int(), reason: z.string().nullable() });

export const pushSchema = z
  .object({
    id: z.string(),
    customerId: z.string(),
    campaignId: z.string().nullable(),
    campaignName: z.string().nullable(),
    message: z.string(),
    status: z.enum(['created', 'sent', 'failed', 'skipped']).describe('created: queued; sent: at least one pass got it; failed: none did (see reason); skipped: a campaign did not send it'),
    reason: z.string().nullable(),
    platforms: z.object({ apple: platformOutcome.optional(), google: platformOutcome.optional() }).describe('What each platform answered'),
    appleDevices: z.number().int().describe('Apple devices the update was pushed to'),
    google: z.boolean().describe('Whether the Google Wallet object took the message'),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'WalletPush' });

export const campaignBodySchema = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(120, 'must be at most 120 characters'),
  message,
  segmentId: z.string().regex(ID_PATTERN, 'must be a segment id').nullable().optional().describe('The segment whose members get it; absent or null = every member'),
  sendAt: timestamp.optional().describe('When to send (ISO 8601 with offset); absent = now'),
});
export type CampaignBody = z.infer<typeof campaignBodySchema>;

export const campaignSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    message: z.string(),
    segmentId: z.string().nullable(),
    segmentName: z.string().nullable().describe('Null for every member, or when the segment was deleted since'),
    sendAt: z.string(),
    status: z.enum(['scheduled', 'sending', 'sent', 'cancelled']),
    reached: z.number().int().describe('Customers who joined the campaign (members in the audience)'),
    sent: z.number().int(),
    failed: z.number().int(),
    skipped: z.number().int().describe('Joined but not sent: left the program or the segment, or the campaign was cancelled'),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'WalletCampaign' });
