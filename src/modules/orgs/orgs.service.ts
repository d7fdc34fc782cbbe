import type { AppContext } from '../../context.js';
import { newId } from '../../db/ids.js';
import { cachedRead, cacheTag } from '../../db/invalidation.js';
import { isUniqueViolation } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { isCurrency } from '../../core/money.js';
import * as repo from './orgs.repo.js';

export interface Organization {
  id: string;
  slug: string;
  name: string;
  currency: string;
  timezone: string;
  createdAt: string;
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function validateOrgFields(input: { slug?: string; currency?: string; timezone?: string; name?: string }): void {
  if (input.slug !== undefined && !/^[a-z0-9][a-z0-9-]{1,62}$/.test(input.slug)) {
    throw AppError.validation('slug', 'must be 2-63 lowercase letters, digits or dashes, starting with a letter or digit');
  }
  if (input.name !== undefined && (input.name.trim().length === 0 || input.name.length > 200)) {
    throw AppError.validation('name', 'must be 1-200 characters');
  }
  if (input.currency !== undefined && !isCurrency(input.currency)) {
    throw AppError.validation('currency', `"${String(input.currency)}" is not an ISO 4217 currency code (for example USD, EUR, JPY)`);
  }
  if (input.timezone !== undefined && !isTimeZone(input.timezone)) {
    throw AppError.validation('timezone', `"${input.timezone}" is not an IANA time zone (for example UTC, Europe/Paris)`);
  }
}

function toOrganization(row: { id: string; slug: string; name: string; currency: string; timezone: string; created_at: Date }): Organization {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    currency: row.currency.trim(),
    timezone: row.timezone,
    createdAt: row.created_at.toISOString(),
  };
}

export async function createOrganization(
  ctx: AppContext,
  input: { slug: string; name: string; currency?: string | undefined; timezone?: string | undefined },
): Promise<Organization> {
  const currency = (input.currency ?? 'USD').toUpperCase();
  const timezone = input.timezone ?? 'UTC';
  validateOrgFields({ slug: input.slug, name: input.name, currency, timezone });
  const id = newId();
  try {
    await repo.insertOrg(ctx.db, { id, slug: input.slug, name: input.name.trim(), currency, timezone });
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new AppError('ALREADY_EXISTS', `An organization with slug "${input.slug}" already exists`, { field: 'slug' });
    }
    throw err;
  }
  return getOrganization(ctx, id);
}

/** An organization by id, from the in-process cache (any change to it drops it in every process). */
export async function getOrganization(ctx: AppContext, id: string): Promise<Organization> {
  const org = await cachedRead(
    ctx.db,
    `org:${id}`,
    async () => {
      const row = await repo.findOrg(ctx.db, id);
      return row ? toOrganization(row) : undefined;
    },
    () => [cacheTag.org(id)],
  );
  if (!org) throw AppError.notFound('Organization', id);
  return { ...org };
}

export async function getOrganizationBySlug(ctx: AppContext, slug: string): Promise<Organization> {
  const row = await repo.findOrgBySlug(ctx.db, slug);
  if (!row) throw new AppError('NOT_FOUND', `No organization with slug "${slug}"`, { slug });
  return toOrganization(row);
}

export async function updateOrganization(
  ctx: AppContext,
  orgId: string,
  patch: { name?: string | undefined; currency?: string | undefined; timezone?: string | undefined },
): Promise<Organization> {
  validateOrgFields(patch);
  const clean: { name?: string; currency?: string; timezone?: string } = {};
  if (patch.name !== undefined) clean.name = patch.name.trim();
  if (patch.currency !== undefined) clean.currency = patch.currency;
  if (patch.timezone !== undefined) clean.timezone = patch.timezone;
  await repo.updateOrg(ctx.db, orgId, clean, ctx.clock.now());
  return getOrganization(ctx, orgId);
}
