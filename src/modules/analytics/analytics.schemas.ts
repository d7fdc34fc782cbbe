import { z } from 'zod';
import { moneySchema } from '../../http/schemas.js';

export const analyticsCardsSchema = z
  .object({
    totalCustomers: z.number().int().describe('Customers not excluded from reports'),
    activeThisMonth: z.number().int().describe('Of them, customers with any activity since the start of the current month (organization time zone)'),
    averageCustomerValue: moneySchema
      .nullable()
      .describe('Lifetime value of customers with at least one order divided by their number (null when nobody ordered)'),
    customersWithOrders: z.number().int(),
    retention: z
      .object({
        rate: z.string().describe('Percentage with one decimal, e.g. "42.5"'),
        returning: z.number().int(),
        base: z.number().int(),
      })
      .nullable()
      .describe('Of the customers who ordered 12-24 months ago, the share who ordered again in the last 12 months (null without such customers)'),
    asOf: z.string().describe('When the figures were computed'),
    live: z.boolean().describe('false: from the snapshot the analytics.refresh job keeps for large organizations (refreshed every 15 minutes)'),
  })
  .meta({ id: 'CustomerAnalytics' });

export type AnalyticsCards = z.infer<typeof analyticsCardsSchema>;
