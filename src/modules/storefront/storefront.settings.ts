import type { AppContext } from '../../context.js';
import { withTx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { newPublishableKey, newStorefrontSecret, secretSealer } from './storefront.identity.js';
import * as repo from './storefront.repo.js';
import type { SettingsRow } from './storefront.repo.js';
import type { StorefrontSettingsPatch } from './storefront.schemas.js';
import type { StorefrontTheme } from './storefront.tables.js';
import { signCustomerToken } from './storefront.tokens.js';

export const PREVIEW_TOKEN_LIFETIME_S = 600;

function themeOf(row: SettingsRow): StorefrontTheme {
  const t = (typeof row.theme === 'string' ? JSON.parse(row.theme) : row.theme) as StorefrontTheme | null;
  return t ?? {};
}

export function toSettingsView(row: SettingsRow) {
  return {
    publishableKey: row.publishable_key,
    secretSet: row.secret_sealed !== null,
    secretRotatedAt: row.secret_rotated_at?.toISOString() ?? null,
    allowedOrigins: row.allowed_origins,
    theme: themeOf(row),
    rateLimits: { perIpPerMinute: row.rate_per_ip_per_minute, perCustomerPerMinute: row.rate_per_customer_per_minute },
    updatedAt: row.updated_at.toISOString(),
  };
}

export { themeOf };

/** The organization's storefront settings; the publishable key is made on first read. */
export async function loadSettings(ctx: AppContext, orgId: string): Promise<SettingsRow> {
  const existing = await repo.findSettings(ctx.db, orgId);
  if (existing) return existing;
  const now = ctx.clock.now();
  return repo.ensureSettings(ctx.db, { org_id: orgId, publishable_key: newPublishableKey(), secret_sealed: null, secret_rotated_at: null, allowed_origins: [], theme: '{}', rate_per_ip_per_minute: 240, rate_per_customer_per_minute: 60, created_at: now, updated_at: now });
}

export async function getSettings(ctx: AppContext, orgId: string) {
  return toSettingsView(await loadSettings(ctx, orgId));
}

/** An origin as browsers send it: scheme://host[:port], nothing after. */
export function normalizeOrigin(field: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw AppError.validation(field, `"${value}" is not an origin; write it as https://shop.example.com (scheme, host, optional port)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw AppError.validation(field, `"${value}" must start with https:// (or http:// for a local test store)`);
  if (url.pathname !== '/' || url.search || url.hash || url.username || url.password || value.replace(/\/$/, '') !== url.origin) {
    throw AppError.validation(field, `"${value}" must be an origin only, such as ${url.origin} (no path, query or credentials)`);
  }
  return url.origin;
}

export async function updateSettings(ctx: AppContext, orgId: string, patch: StorefrontSettingsPatch) {
  await loadSettings(ctx, orgId);
  const set: Parameters<typeof repo.updateSettings>[2] = { updated_at: ctx.clock.now() };
  if (patch.allowedOrigins !== undefined) {
    const origins = patch.allowedOrigins.map((o, i) => normalizeOrigin(`allowedOrigins.${i}`, o));
    set.allowed_origins = [...new Set(origins)];
  }
  if (patch.theme !== undefined) set.theme = JSON.stringify(patch.theme);
  if (patch.rateLimits?.perIpPerMinute !== undefined) set.rate_per_ip_per_minute = patch.rateLimits.perIpPerMinute;
  if (patch.rateLimits?.perCustomerPerMinute !== undefined) set.rate_per_customer_per_minute = patch.rateLimits.perCustomerPerMinute;
  return toSettingsView(await repo.updateSettings(ctx.db, orgId, set));
}

/** Creates or replaces the signing secret; the reply is the only time it is shown. Tokens signed with the old one stop working at once. */
export async function rotateSecret(ctx: AppContext, orgId: string) {
  const sealer = secretSealer(ctx);
  await loadSettings(ctx, orgId);
  const secret = newStorefrontSecret();
  const now = ctx.clock.now();
  const row = await withTx(ctx.db, (tx) => repo.updateSettings(tx, orgId, { secret_sealed: sealer.seal(secret), secret_rotated_at: now, updated_at: now }));
  return { secret, settings: toSettingsView(row) };
}

/**
 * A short-lived token for the admin's live preview of the widget, for one customer, showing
 * the member, guest or left view. Preview tokens change nothing (redeeming, preferences and
 * shares are refused with them).
 */
export async function previewToken(ctx: AppContext, orgId: string, input: { customerId: string; view: 'member' | 'guest' | 'left' }) {
  const row = await loadSettings(ctx, orgId);
  if (!row.secret_sealed) throw new AppError('RULE_REFUSED', 'Create the storefront secret first (POST /api/v1/storefront/secret): preview tokens are signed with it', {});
  const customer = await repo.customerById(ctx.db, orgId, input.customerId);
  if (!customer) throw AppError.notFound('Customer', input.customerId);
  if (!customer.external_id) {
    throw new AppError('RULE_REFUSED', 'This customer has no externalId, so no storefront token can name them; give them the id your store knows them by first', { customerId: customer.id });
  }
  const secret = secretSealer(ctx).open(row.secret_sealed);
  const exp = Math.floor(ctx.clock.now().getTime() / 1000) + PREVIEW_TOKEN_LIFETIME_S;
  return { token: signCustomerToken({ sub: customer.external_id, exp, preview: input.view }, secret), expiresAt: new Date(exp * 1000).toISOString(), publishableKey: row.publishable_key };
}
