import type { AppContext } from '../../context.js';
import { newId } from '../../db/ids.js';
import { cachedRead, cacheTag } from '../../db/invalidation.js';
import { isUniqueViolation, withTx, type Executor } from '../../db/tx.js';
import { enqueue } from '../../jobs/queue.js';
import { AppError } from '../../errors.js';
import type { TierBasis, TierDef, TierWindow } from '../../core/tiers.js';
import { currencyExponent, formatDecimal, formatMoney, MoneyFormatError, normalizeDecimal, parseDecimal, parseMoney, pow10 } from '../../core/money.js';
import * as repo from './tiers.repo.js';
import type { TierRow } from './tiers.repo.js';
import type { BasisValue, TierCreate, TierPatch, TierView } from './tiers.schemas.js';

export interface TierSettings {
  basis: TierBasis;
  window: TierWindow;
  graceDays: number;
  updatedAt: string | null;
}

/**
 * After a configuration change, re-assess the organization's customers soon (edits within
 * the same minute share one job), so existing customers move to the tiers they qualify for.
 */
async function scheduleReassessment(db: Executor, orgId: string, now: Date): Promise<void> {
  const runAt = new Date(now.getTime() + 60_000);
  await enqueue(db, { orgId, type: 'tiers.assess', payload: { reason: 'configuration changed' }, runAt, dedupeKey: `tiers.assess:config:${Math.floor(now.getTime() / 60_000)}`, maxAttempts: 5 });
}

const DEFAULT_SETTINGS: TierSettings = { basis: 'points_earned', window: 'lifetime', graceDays: 0, updatedAt: null };
const MAX_TIERS = 20;

export async function getTierSettings(db: Executor, orgId: string): Promise<TierSettings> {
  const cached = await cachedRead(
    db,
    `tier_settings:${orgId}`,
    async () => {
      const row = await repo.findSettings(db, orgId);
      if (!row) return { ...DEFAULT_SETTINGS };
      return { basis: row.basis, window: row.qualification_window, graceDays: row.grace_days, updatedAt: row.updated_at.toISOString() } satisfies TierSettings;
    },
    () => [cacheTag.org(orgId)],
  );
  return { ...cached };
}

/**
 * The organization's tiers, lowest threshold first, cached in process outside transactions
 * (every tier edit drops them in every process). The rows are shared: never modify them.
 */
export function tierRowsOf(db: Executor, orgId: string): Promise<readonly repo.TierRow[]> {
  return cachedRead(db, `tiers:${orgId}`, () => repo.listTiers(db, orgId), () => [cacheTag.org(orgId)]);
}

/** The organization's currency and time zone, cached in process outside transactions. */
export function orgFactsOf(db: Executor, orgId: string): Promise<{ currency: string; timezone: string }> {
  return cachedRead(db, `org_facts:${orgId}`, () => repo.orgFacts(db, orgId), () => [cacheTag.org(orgId)]);
}

/** Replaces the settings. The basis cannot change under existing tiers: their thresholds are in the old unit. */
export async function putTierSettings(ctx: AppContext, orgId: string, input: { basis: TierBasis; window: TierWindow; graceDays: number }): Promise<TierSettings> {
  return withTx(ctx.db, async (tx) => {
    const current = await getTierSettings(tx, orgId);
    if (current.basis !== input.basis) {
      const n = await repo.countTiers(tx, orgId);
      if (n > 0) {
        throw new AppError(
          'CONFLICT',
          `The basis cannot change from ${current.basis} to ${input.basis} while ${n} tier(s) exist: their thresholds are in ${current.basis} units. Delete the tiers first, then create them again with new thresholds`,
          { field: 'basis', tiers: n },
        );
      }
    }
    await repo.upsertSettings(tx, { org_id: orgId, basis: input.basis, qualification_window: input.window, grace_days: input.graceDays, updated_at: ctx.clock.now() });
    await scheduleReassessment(tx, orgId, ctx.clock.now());
    return getTierSettings(tx, orgId);
  });
}

/** Progress or a threshold as text, for timeline summaries: "110.50" (amount spent), "1200" (points, orders). */
export function formatProgress(basis: TierBasis, value: number, currency: string): string {
  return basis === 'amount_spent' ? formatMoney(BigInt(value), currency) : String(value);
}

/**
 * Progress or a threshold as the API shows it, one representation per basis everywhere
 * (profile, grid, CSV, tiers, timeline): amount spent as the API's decimal money string
 * in the organization currency ("110.50"), points and orders as integers (1200).
 */
export function basisValue(basis: TierBasis, value: number, currency: string): BasisValue {
  return basis === 'amount_spent' ? formatMoney(BigInt(value), currency) : value;
}

const MAX_BASIS_VALUE = 1_000_000_000_000;

/**
 * Parses a threshold or progress given in the basis representation into the stored integer
 * (minor units for amount spent). JSON input must use that representation exactly: a
 * decimal string for amount spent, an integer for points and orders. `text` (a CSV cell)
 * is the same value written as text.
 */
export function parseBasisValue(field: string, basis: TierBasis, value: string | number, currency: string, opts: { text?: boolean } = {}): number {
  if (basis === 'amount_spent') {
    const example = formatMoney(500n * pow10(currencyExponent(currency)), currency);
    if (typeof value !== 'string') {
      throw AppError.validation(field, `must be an amount in ${currency} as a decimal string such as "${example}" (the tier basis is amount_spent; money is never a JSON number)`);
    }
    try {
      const minor = parseMoney(value, currency);
      if (minor < 0n) throw AppError.validation(field, 'must be 0 or more');
      if (minor > BigInt(MAX_BASIS_VALUE)) throw AppError.validation(field, 'is too large');
      return Number(minor);
    } catch (err) {
      if (err instanceof MoneyFormatError) throw AppError.validation(field, `${err.reason} (the tier basis is amount_spent: give an amount such as "${example}")`);
      throw err;
    }
  }
  const unit = basis === 'points_earned' ? 'points' : 'orders';
  const problem = `must be a whole number of ${unit}${opts.text ? '' : ' as a JSON integer'}, such as ${basis === 'points_earned' ? 1000 : 5} (the tier basis is ${basis})`;
  if (typeof value === 'string') {
    if (!opts.text || !/^\d{1,13}$/.test(value)) throw AppError.validation(field, problem);
    value = Number(value);
  }
  if (!Number.isSafeInteger(value) || value < 0) throw AppError.validation(field, problem);
  if (value > MAX_BASIS_VALUE) throw AppError.validation(field, 'is too large');
  return value;
}

/** How the organization's tier progress is shown: its basis and currency (grid, export). */
export async function progressUnit(db: Executor, orgId: string): Promise<{ basis: TierBasis; currency: string }> {
  const [settings, org] = await Promise.all([getTierSettings(db, orgId), orgFactsOf(db, orgId)]);
  return { basis: settings.basis, currency: org.currency.trim() };
}

export function multiplierOf(row: Pick<TierRow, 'earn_multiplier'>): string {
  return formatDecimal(normalizeDecimal(parseDecimal(row.earn_multiplier)));
}

export function toTierView(row: TierRow, rank: number, basis: TierBasis, currency: string): TierView {
  return {
    id: row.id,
    name: row.name,
    rank,
    threshold: basisValue(basis, row.threshold, currency),
    earnMultiplier: multiplierOf(row),
    birthdayPoints: row.birthday_points,
    entryPoints: row.entry_points,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Tiers as core TierDefs, ranked 1..n by threshold. */
export function tierDefs(rows: readonly TierRow[]): TierDef[] {
  return rows.map((r, i) => ({ id: r.id, name: r.name, rank: i + 1, threshold: BigInt(r.threshold) }));
}

export async function listTierViews(db: Executor, orgId: string): Promise<TierView[]> {
  const [rows, settings, org] = await Promise.all([tierRowsOf(db, orgId), getTierSettings(db, orgId), orgFactsOf(db, orgId)]);
  return rows.map((r, i) => toTierView(r, i + 1, settings.basis, org.currency.trim()));
}

export async function getTierView(db: Executor, orgId: string, id: string): Promise<TierView> {
  const view = (await listTierViews(db, orgId)).find((t) => t.id === id);
  if (!view) throw AppError.notFound('Tier', id);
  return view;
}

function checkMultiplier(value: string | undefined): void {
  if (value !== undefined && parseDecimal(value).digits === 0n) throw AppError.validation('earnMultiplier', 'must be greater than 0 (use "1" for no bonus)');
}

async function refuseDuplicates(tx: Executor, orgId: string, id: string | null, name: string | undefined, threshold: number | undefined, shown: string | number | undefined) {
  if (name !== undefined) {
    const same = await repo.findTierByName(tx, orgId, name);
    if (same && same.id !== id) throw new AppError('ALREADY_EXISTS', `A tier named "${same.name}" already exists`, { field: 'name', tierId: same.id });
  }
  if (threshold !== undefined) {
    const same = await repo.findTierByThreshold(tx, orgId, threshold);
    if (same && same.id !== id) {
      throw new AppError('ALREADY_EXISTS', `Tier "${same.name}" already starts at ${shown ?? threshold}; each tier needs its own threshold`, { field: 'threshold', tierId: same.id });
    }
  }
}

function translateUnique(err: unknown): never {
  if (isUniqueViolation(err)) throw new AppError('ALREADY_EXISTS', 'Another tier has the same name or threshold', {});
  throw err;
}

export async function createTier(ctx: AppContext, orgId: string, input: TierCreate): Promise<TierView> {
  checkMultiplier(input.earnMultiplier);
  const id = await withTx(ctx.db, async (tx) => {
    const [settings, org] = await Promise.all([getTierSettings(tx, orgId), repo.orgFacts(tx, orgId)]);
    const threshold = parseBasisValue('threshold', settings.basis, input.threshold, org.currency.trim());
    if ((await repo.countTiers(tx, orgId)) >= MAX_TIERS) throw new AppError('RULE_REFUSED', `An organization can have at most ${MAX_TIERS} tiers`, { max: MAX_TIERS });
    await refuseDuplicates(tx, orgId, null, input.name, threshold, input.threshold);
    const now = ctx.clock.now();
    const row = await repo
      .insertTier(tx, {
        org_id: orgId,
        id: newId(now.getTime()),
        name: input.name,
        threshold,
        earn_multiplier: input.earnMultiplier ?? '1',
        birthday_points: input.birthdayPoints ?? null,
        entry_points: input.entryPoints ?? 0,
        created_at: now,
        updated_at: now,
      })
      .catch(translateUnique);
    await scheduleReassessment(tx, orgId, now);
    return row.id;
  });
  return getTierView(ctx.db, orgId, id);
}

export async function updateTier(ctx: AppContext, orgId: string, id: string, patch: TierPatch): Promise<TierView> {
  checkMultiplier(patch.earnMultiplier);
  await withTx(ctx.db, async (tx) => {
    const existing = await repo.findTier(tx, orgId, id);
    if (!existing) throw AppError.notFound('Tier', id);
    const [settings, org] = await Promise.all([getTierSettings(tx, orgId), repo.orgFacts(tx, orgId)]);
    const threshold = patch.threshold === undefined ? undefined : parseBasisValue('threshold', settings.basis, patch.threshold, org.currency.trim());
    await refuseDuplicates(tx, orgId, id, patch.name, threshold, patch.threshold);
    await repo
      .updateTier(tx, orgId, id, {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(threshold !== undefined ? { threshold } : {}),
        ...(patch.earnMultiplier !== undefined ? { earn_multiplier: patch.earnMultiplier } : {}),
        ...(patch.birthdayPoints !== undefined ? { birthday_points: patch.birthdayPoints } : {}),
        ...(patch.entryPoints !== undefined ? { entry_points: patch.entryPoints } : {}),
        updated_at: ctx.clock.now(),
      })
      .catch(translateUnique);
    await scheduleReassessment(tx, orgId, ctx.clock.now());
  });
  return getTierView(ctx.db, orgId, id);
}

/** Deletes a tier nobody holds (customers keep their tier until moved; a tier in use is refused). */
export async function deleteTier(ctx: AppContext, orgId: string, id: string): Promise<void> {
  await withTx(ctx.db, async (tx) => {
    const existing = await repo.findTier(tx, orgId, id);
    if (!existing) throw AppError.notFound('Tier', id);
    const usage = await repo.tierUsage(tx, orgId, id);
    if (usage.customers > 0 || usage.floors > 0) {
      throw new AppError(
        'CONFLICT',
        `Tier "${existing.name}" is held by ${usage.customers} customer(s) and is the manual floor of ${usage.floors}; move them to another tier first`,
        usage,
      );
    }
    await repo.deleteTier(tx, orgId, id);
  });
}

/** The birthday points a tier gives instead of the birthday rule, or null when the tier does not override it. */
export async function tierBirthdayOverride(db: Executor, orgId: string, tierId: string | null): Promise<{ points: number; tierName: string } | null> {
  if (!tierId) return null;
  const tier = await repo.findTier(db, orgId, tierId);
  if (!tier || tier.birthday_points === null) return null;
  return { points: tier.birthday_points, tierName: tier.name };
}
