import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { cachedRead, cacheTag } from '../../db/invalidation.js';
import type { Executor } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { compareDecimal } from '../../core/money.js';
import * as repo from './program.repo.js';

export interface ProgramSettings {
  earnRate: string;
  rounding: 'down' | 'up' | 'nearest';
  awardOn: 'paid' | 'fulfilled';
  pendingDays: number;
  expiryPolicy: 'none' | 'days_after_earning' | 'inactivity';
  expiryDays: number | null;
  reminderDays: number | null;
  clawbackPolicy: 'clamp' | 'allow_negative';
  membershipMode: 'automatic' | 'manual';
  guestEarning: boolean;
  updatedAt: string | null;
}

export const programSettingsSchema = z
  .object({
    earnRate: z.string().describe('Points per 1 unit of the organization currency, as a decimal string (e.g. "1" or "0.5")'),
    rounding: z.enum(['down', 'up', 'nearest']),
    awardOn: z.enum(['paid', 'fulfilled']),
    pendingDays: z.number().int(),
    expiryPolicy: z.enum(['none', 'days_after_earning', 'inactivity']),
    expiryDays: z.number().int().nullable(),
    reminderDays: z.number().int().nullable(),
    clawbackPolicy: z.enum(['clamp', 'allow_negative']),
    membershipMode: z.enum(['automatic', 'manual']),
    guestEarning: z.boolean(),
    updatedAt: z.string().nullable(),
  })
  .meta({ id: 'ProgramSettings' });

export const programPatchSchema = z.object({
  earnRate: z.string().regex(/^\d{1,8}(\.\d{1,4})?$/, 'must be a decimal string with up to 4 decimals, e.g. "1" or "0.25"').optional(),
  rounding: z.enum(['down', 'up', 'nearest']).optional(),
  awardOn: z.enum(['paid', 'fulfilled']).optional(),
  pendingDays: z.number().int().min(0).max(365).optional(),
  expiryPolicy: z.enum(['none', 'days_after_earning', 'inactivity']).optional(),
  expiryDays: z.number().int().min(1).max(3650).nullable().optional(),
  reminderDays: z.number().int().min(1).max(365).nullable().optional(),
  clawbackPolicy: z.enum(['clamp', 'allow_negative']).optional(),
  membershipMode: z.enum(['automatic', 'manual']).optional(),
  guestEarning: z.boolean().optional(),
});

export type ProgramPatch = z.infer<typeof programPatchSchema>;

const DEFAULTS: ProgramSettings = {
  earnRate: '1',
  rounding: 'down',
  awardOn: 'paid',
  pendingDays: 0,
  expiryPolicy: 'none',
  expiryDays: null,
  reminderDays: null,
  clawbackPolicy: 'clamp',
  membershipMode: 'automatic',
  guestEarning: false,
  updatedAt: null,
};

function trimRate(rate: string): string {
  return rate.includes('.') ? rate.replace(/0+$/, '').replace(/\.$/, '') : rate;
}

/**
 * The organization's program settings. Outside a transaction they come from the in-process
 * cache (`src/db/invalidation.ts`; a change drops them in every process); inside one, from
 * the database.
 */
export async function getProgram(db: Executor, orgId: string): Promise<ProgramSettings> {
  const settings = await cachedRead(db, `program:${orgId}`, () => readProgram(db, orgId), () => [cacheTag.org(orgId)]);
  return { ...settings };
}

async function readProgram(db: Executor, orgId: string): Promise<ProgramSettings> {
  const row = await repo.findProgramSettings(db, orgId);
  if (!row) return { ...DEFAULTS };
  return {
    earnRate: trimRate(row.earn_rate),
    rounding: row.rounding,
    awardOn: row.award_on,
    pendingDays: row.pending_days,
    expiryPolicy: row.expiry_policy,
    expiryDays: row.expiry_days,
    reminderDays: row.reminder_days,
    clawbackPolicy: row.clawback_policy,
    membershipMode: row.membership_mode,
    guestEarning: row.guest_earning,
    updatedAt: row.updated_at.toISOString(),
  };
}

export async function updateProgram(ctx: AppContext, orgId: string, patch: ProgramPatch): Promise<ProgramSettings> {
  const current = await getProgram(ctx.db, orgId);
  const next: ProgramSettings = { ...current };
  for (const [k, v] of Object.entries(patch)) if (v !== undefined) (next as unknown as Record<string, unknown>)[k] = v;
  if (next.expiryPolicy !== 'none' && next.expiryDays === null) {
    throw AppError.validation('expiryDays', `is required when expiryPolicy is ${next.expiryPolicy}`);
  }
  if (compareDecimal(next.earnRate, '10000') > 0) throw AppError.validation('earnRate', 'must be at most 10000 points per currency unit');
  const values = {
    org_id: orgId,
    earn_rate: next.earnRate,
    rounding: next.rounding,
    award_on: next.awardOn,
    pending_days: next.pendingDays,
    expiry_policy: next.expiryPolicy,
    expiry_days: next.expiryDays,
    reminder_days: next.reminderDays,
    clawback_policy: next.clawbackPolicy,
    membership_mode: next.membershipMode,
    guest_earning: next.guestEarning,
    updated_at: ctx.clock.now(),
  };
  await repo.upsertProgramSettings(ctx.db, values);
  return getProgram(ctx.db, orgId);
}
