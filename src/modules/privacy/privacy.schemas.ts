import { z } from 'zod';
import { moneySchema } from '../../http/schemas.js';
import { activityEventSchema } from '../activity/index.js';
import { customerSchema } from '../customers/index.js';
import { preferencesSchema } from '../preferences/index.js';
import { entrySchema } from '../points/index.js';
import { referralSchema } from '../referrals/index.js';
import { couponSchema } from '../rewards/index.js';

export const anonymizeBodySchema = z.object({
  confirmEmail: z.string('is required: type the customer\'s current email to confirm').min(1, "is required: type the customer's current email to confirm").max(320),
});

export const reportingBodySchema = z.object({ excluded: z.boolean('must be true or false') });

const exportOrderSchema = z.object({
  id: z.string(),
  externalId: z.string(),
  status: z.string(),
  total: moneySchema,
  refunded: moneySchema,
  discountCodes: z.array(z.string()),
  placedAt: z.string(),
  pointsEarned: z.number().int(),
  pointsReversed: z.number().int(),
  explanation: z.string().nullable(),
  refunds: z.array(z.object({ refundId: z.string(), amount: moneySchema, pointsReversed: z.number().int(), reason: z.string().nullable(), createdAt: z.string() })),
});

export const customerExportSchema = z
  .object({
    format: z.literal('patron.customer-export.v1'),
    exportedAt: z.string(),
    organization: z.object({ id: z.string(), name: z.string() }),
    profile: customerSchema,
    previousValues: z
      .array(z.object({ field: z.enum(['email', 'phone', 'firstName', 'lastName']), value: z.string(), replacedAt: z.string() }))
      .describe('Emails, phones and names the profile had before an edit, oldest first (kept only so an erasure can find them)'),
    note: z.object({ text: z.string(), updatedAt: z.string().nullable(), updatedBy: z.string().nullable() }).nullable(),
    notificationPreferences: preferencesSchema,
    ledger: z.array(entrySchema),
    orders: z.array(exportOrderSchema),
    coupons: z.array(couponSchema),
    referrals: z.object({
      link: z.object({ code: z.string(), status: z.string(), friendDiscountCode: z.string().nullable(), createdAt: z.string() }).nullable(),
      referrals: z.array(referralSchema),
    }),
    timeline: z.array(activityEventSchema),
  })
  .meta({ id: 'CustomerExport' });
