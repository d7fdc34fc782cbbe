import { z } from 'zod';
import { ID_PATTERN } from '../../db/ids.js';

export const MEMBERSHIP_TYPES = ['member', 'guest', 'left'] as const;
export const SORT_KEYS = ['name', 'points', 'tierProgress', 'lastActivity', 'created'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** Days without activity after which a customer counts as inactive (grid filter, docs/grid.md). */
export const ACTIVE_DAYS = 30;

/**
 * The grid filter, in its JSON form (saved segments, bulk actions, membership bulk change).
 * Conditions are combined with AND; a list matches any of its values.
 */
export const customerFilterSchema = z
  .object({
    search: z.string().trim().min(1).max(100).optional().describe('Substring of name, email, phone or external id, ignoring case and accents; 1-2 characters match the start of first name, last name, email or phone digits, or an exact external id'),
    membership: z.array(z.enum(MEMBERSHIP_TYPES)).min(1).max(3).optional(),
    tier: z
      .array(z.string().regex(/^[\w-]{1,64}$/, 'must be a tier id or "none"'))
      .min(1)
      .max(50)
      .optional()
      .describe('Tier ids; "none" matches customers without a tier'),
    activity: z.enum(['active', 'inactive']).optional().describe(`active: any activity in the last ${ACTIVE_DAYS} days`),
    accountState: z.enum(['registered', 'guest']).optional(),
    excluded: z.boolean().optional().describe('true: only customers excluded from reports; false: only included ones; absent: both'),
    segment: z.string().regex(ID_PATTERN, 'must be a segment id').optional(),
    marketingSync: z.enum(['failed']).optional().describe('failed: customers whose sync to a connected marketing tool (Klaviyo, Omnisend) failed'),
  })
  .strict()
  .meta({ id: 'CustomerFilter' });

export type CustomerFilter = z.infer<typeof customerFilterSchema>;

const list = <T extends string>(values: readonly [T, ...T[]], what: string) =>
  z
    .string()
    .regex(new RegExp(`^(${values.join('|')})(,(${values.join('|')}))*$`), `must be a comma-separated list of ${what}`)
    .transform((s) => [...new Set(s.split(','))] as T[]);

/** The same filter as query-string parameters (lists comma-separated). */
export const filterQuerySchema = z.object({
  search: z.string().trim().max(100).optional(),
  membership: list(MEMBERSHIP_TYPES, 'member, guest, left').optional(),
  tier: z
    .string()
    .regex(/^[\w-]{1,64}(,[\w-]{1,64}){0,49}$/, 'must be a comma-separated list of tier ids or "none"')
    .transform((s) => [...new Set(s.split(','))])
    .optional(),
  activity: z.enum(['active', 'inactive']).optional(),
  accountState: z.enum(['registered', 'guest']).optional(),
  excluded: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  segment: z.string().regex(ID_PATTERN, 'must be a segment id').optional(),
  marketingSync: z.enum(['failed']).optional(),
});

export function filterFromQuery(q: z.infer<typeof filterQuerySchema>): CustomerFilter {
  const f: CustomerFilter = {};
  if (q.search) f.search = q.search;
  if (q.membership) f.membership = q.membership;
  if (q.tier) f.tier = q.tier;
  if (q.activity) f.activity = q.activity;
  if (q.accountState) f.accountState = q.accountState;
  if (q.excluded !== undefined) f.excluded = q.excluded;
  if (q.segment) f.segment = q.segment;
  if (q.marketingSync) f.marketingSync = q.marketingSync;
  return f;
}

export const gridQuerySchema = filterQuerySchema.extend({
  sort: z
    .enum([...SORT_KEYS, ...SORT_KEYS.map((k) => `-${k}` as const)] as [string, ...string[]])
    .default('-created')
    .describe('Sort column; a leading "-" sorts descending. Ties are broken by id.'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(1000).optional(),
});

export const gridRowSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    membershipType: z.enum(MEMBERSHIP_TYPES),
    accountState: z.enum(['registered', 'guest']),
    points: z.number().int().describe('Active (spendable) points'),
    tier: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
    tierProgress: z
      .union([z.number().int(), z.string()])
      .describe('Tier progress in the current window, as in the profile: a decimal money string in the organization currency ("110.50") when the tier basis is amount_spent, an integer for points_earned and orders_count. Sorting on it is numeric.'),
    birthday: z.string().nullable(),
    tierUpdatedAt: z.string().nullable(),
    lastActivityAt: z.string().nullable(),
    excludedFromReports: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'CustomerGridRow' });

export type GridRow = z.infer<typeof gridRowSchema>;

export const gridTotalSchema = z
  .object({
    value: z.number().int(),
    exact: z.boolean().describe('false: an estimate (more than 10,000 matches); see docs/grid.md'),
  })
  .meta({ id: 'GridTotal' });

export const gridPageSchema = z
  .object({
    items: z.array(gridRowSchema),
    nextCursor: z.string().nullable(),
    total: gridTotalSchema.nullable().describe('Counted on the first page only (no cursor); null on later pages'),
  })
  .meta({ id: 'CustomerGridPage' });
