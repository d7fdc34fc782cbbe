import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Actor, AppContext } from '../../context.js';
import { createSealer, type Sealer } from '../../core/sealing.js';
import { AppError } from '../../errors.js';
import type { RouteVerifier, VerifiedCaller } from '../../http/security.js';
import { upsertCustomer } from '../customers/index.js';
import { connectionsForShop } from '../shopify/index.js';
import { credentialSealer } from '../shopify/index.js';
import * as repo from './storefront.repo.js';
import type { SettingsRow } from './storefront.repo.js';
import { verifyAppProxySignature, verifyCustomerToken, type CustomerClaims } from './storefront.tokens.js';

export const PUBLISHABLE_KEY_HEADER = 'patron-publishable-key';
/** How old a Shopify App Proxy request may be (its signed `timestamp`). */
const APP_PROXY_MAX_AGE_S = 300;
const RATE_WINDOW_MS = 60_000;

/** The storefront secret is sealed under PATRON_ENCRYPTION_KEY, like other stored credentials. */
export function secretSealer(ctx: AppContext): Sealer {
  const key = ctx.config.encryptionKey;
  if (!key) {
    throw new AppError('RULE_REFUSED', 'Set PATRON_ENCRYPTION_KEY (32+ characters, kept secret and stable) to create a storefront secret; it is required with DATABASE_URL', {
      field: 'PATRON_ENCRYPTION_KEY',
    });
  }
  return createSealer(key, 'storefront secret');
}

export const newPublishableKey = (): string => `pk_${randomBytes(18).toString('base64url')}`;
export const newStorefrontSecret = (): string => `sk_${randomBytes(32).toString('base64url')}`;

/** Who is looking at the storefront: nobody signed in, or a customer of the organization. */
export type Viewer =
  | { kind: 'visitor' }
  | { kind: 'customer'; customerId: string; preview: 'member' | 'guest' | 'left' | null };

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function queryString(request: FastifyRequest): string {
  const i = request.url.indexOf('?');
  return i < 0 ? '' : request.url.slice(i + 1);
}

const refuse = (code: 'TOKEN_INVALID' | 'TOKEN_EXPIRED' | 'UNAUTHENTICATED', message: string): AppError => new AppError(code, message);

/** Customer actor as the timeline shows it ("the customer"). */
export function customerActor(customerId: string | null, name: string): Actor {
  return { type: 'customer', id: customerId, name };
}

/**
 * The customer a verified identity names, created on first sight. A signed token or a
 * signed-in Shopify customer has a store account, so the customer is created as registered
 * (a member under automatic membership, a guest under manual membership); an existing guest
 * account is marked registered the same way a platform sync would.
 */
async function resolveCustomer(ctx: AppContext, orgId: string, externalId: string, profile: Partial<Pick<CustomerClaims, 'email' | 'firstName' | 'lastName'>>): Promise<string> {
  const existing = await repo.customerByExternalId(ctx.db, orgId, externalId);
  if (existing && (existing.account_state === 'registered' || existing.anonymized_at)) return existing.id;
  const name = [profile.firstName, profile.lastName].filter(Boolean).join(' ') || profile.email || `Customer ${externalId}`;
  const input = existing
    ? { externalId, accountState: 'registered' as const }
    : {
        externalId,
        accountState: 'registered' as const,
        ...(profile.email ? { email: profile.email } : {}),
        ...(profile.firstName ? { firstName: profile.firstName } : {}),
        ...(profile.lastName ? { lastName: profile.lastName } : {}),
      };
  const r = await upsertCustomer(ctx, orgId, input, customerActor(existing?.id ?? null, name));
  return r.customer.id;
}

async function fromToken(ctx: AppContext, settings: SettingsRow, token: string): Promise<Viewer> {
  if (!settings.secret_sealed) throw refuse('TOKEN_INVALID', 'This organization has no storefront secret yet, so no customer token can be valid; create one in the storefront settings');
  let secret: string;
  try {
    secret = secretSealer(ctx).open(settings.secret_sealed);
  } catch {
    throw refuse('TOKEN_INVALID', 'The storefront secret cannot be read with the configured PATRON_ENCRYPTION_KEY; rotate the secret');
  }
  const result = verifyCustomerToken(token, secret, Math.floor(ctx.clock.now().getTime() / 1000));
  if (!result.ok) throw refuse(result.code, `Customer token refused: ${result.reason}`);
  const c = result.claims;
  if (c.preview) {
    // An admin preview shows an existing customer and changes nothing about them.
    const existing = await repo.customerByExternalId(ctx.db, settings.org_id, c.sub);
    if (!existing) throw refuse('TOKEN_INVALID', 'Customer token refused: the previewed customer does not exist');
    return { kind: 'customer', customerId: existing.id, preview: c.preview };
  }
  const customerId = await resolveCustomer(ctx, settings.org_id, c.sub, c);
  return { kind: 'customer', customerId, preview: c.preview ?? null };
}

/** A request Shopify forwarded through the store's App Proxy, signed with the app's client secret. */
async function fromAppProxy(ctx: AppContext, settings: SettingsRow, query: string): Promise<Viewer> {
  const params = new URLSearchParams(query);
  const shop = params.get('shop') ?? '';
  const candidates = (await connectionsForShop(ctx.db, shop)).filter((c) => c.org_id === settings.org_id);
  if (candidates.length === 0) throw refuse('UNAUTHENTICATED', `App Proxy request refused: ${shop || 'no shop'} is not a Shopify store connected to this organization`);
  const timestamp = Number(params.get('timestamp'));
  const nowS = Math.floor(ctx.clock.now().getTime() / 1000);
  if (!Number.isInteger(timestamp) || Math.abs(nowS - timestamp) > APP_PROXY_MAX_AGE_S) {
    throw refuse('TOKEN_EXPIRED', `App Proxy request refused: its timestamp is more than ${APP_PROXY_MAX_AGE_S} seconds from now`);
  }
  if (!ctx.config.encryptionKey) throw refuse('UNAUTHENTICATED', 'App Proxy request refused: PATRON_ENCRYPTION_KEY is not set, so the client secret cannot be read');
  const sealer = credentialSealer(ctx);
  const verified = candidates.some((c) => {
    try {
      return verifyAppProxySignature(query, sealer.open(c.client_secret_sealed!));
    } catch {
      return false;
    }
  });
  if (!verified) throw refuse('TOKEN_INVALID', 'App Proxy request refused: the signature does not match the Shopify app of this store');
  const customer = params.get('logged_in_customer_id') ?? '';
  if (!customer) return { kind: 'visitor' };
  if (!/^\d{1,30}$/.test(customer)) throw refuse('TOKEN_INVALID', 'App Proxy request refused: logged_in_customer_id is not a Shopify customer id');
  return { kind: 'customer', customerId: await resolveCustomer(ctx, settings.org_id, customer, {}), preview: null };
}

/** Counts the request against the client address and the customer; 429 past either limit. */
async function rateLimit(ctx: AppContext, settings: SettingsRow, ip: string, customerId: string | null): Promise<void> {
  const buckets = [`ip:${ip}`, ...(customerId ? [`customer:${customerId}`] : [])];
  const now = ctx.clock.now();
  const counts = await repo.takeHits(ctx.db, settings.org_id, buckets, now, RATE_WINDOW_MS);
  for (const c of counts) {
    const perCustomer = c.bucket.startsWith('customer:');
    const limit = perCustomer ? settings.rate_per_customer_per_minute : settings.rate_per_ip_per_minute;
    if (c.hits > limit) {
      const retryAfterSeconds = Math.max(1, Math.ceil((c.window_started_at.getTime() + RATE_WINDOW_MS - now.getTime()) / 1000));
      throw new AppError('TOO_MANY_REQUESTS', `Too many storefront requests ${perCustomer ? 'for this customer' : 'from this address'} (${limit} a minute); try again in ${retryAfterSeconds} s`, {
        retryAfterSeconds,
        limit,
        per: perCustomer ? 'customer' : 'ip',
      });
    }
  }
}

/** The publishable key of a storefront request: the header, else the `key` query parameter. */
export function publishableKeyOf(request: FastifyRequest): string | null {
  const fromHeader = headerValue(request, PUBLISHABLE_KEY_HEADER);
  if (fromHeader) return fromHeader;
  const fromQuery = new URLSearchParams(queryString(request)).get('key');
  return fromQuery || null;
}

/**
 * `auth: { verifier: 'storefront' }`: the publishable key names the organization; a Bearer
 * customer token or a signed Shopify App Proxy request names the customer; neither is a
 * visitor. Then the request is counted against the rate limits.
 */
export const storefrontVerifier: RouteVerifier = {
  // Checked once the body bytes are read (within the body limit), before they are parsed.
  rawBody: true,
  async verify(request: FastifyRequest, ctx: AppContext): Promise<VerifiedCaller> {
    const key = publishableKeyOf(request);
    if (!key) throw refuse('UNAUTHENTICATED', `Send the organization's publishable key (pk_...) in the ${PUBLISHABLE_KEY_HEADER} header or the key query parameter`);
    const settings = key.length <= 100 ? await repo.findSettingsByKey(ctx.db, key) : undefined;
    if (!settings) throw refuse('UNAUTHENTICATED', 'Unknown publishable key; copy it from the storefront settings');
    const auth = headerValue(request, 'authorization');
    const query = queryString(request);
    let viewer: Viewer;
    if (auth) {
      const m = /^Bearer\s+(\S+)$/i.exec(auth);
      if (!m) throw refuse('TOKEN_INVALID', 'Authorization must be "Bearer <customer token>"');
      viewer = await fromToken(ctx, settings, m[1]!);
    } else if (new URLSearchParams(query).has('signature')) {
      viewer = await fromAppProxy(ctx, settings, query);
    } else {
      viewer = { kind: 'visitor' };
    }
    const customerId = viewer.kind === 'customer' ? viewer.customerId : null;
    await rateLimit(ctx, settings, request.ip, customerId);
    const claims: Record<string, string> = { publishableKey: settings.publishable_key };
    if (viewer.kind === 'customer') {
      claims.customerId = viewer.customerId;
      if (viewer.preview) claims.preview = viewer.preview;
    }
    return { orgId: settings.org_id, actor: customerActor(customerId, customerId ? 'The customer' : 'A store visitor'), claims };
  },
};

/** The viewer a verified storefront request established. */
export function viewerOf(caller: VerifiedCaller): Viewer {
  const id = caller.claims.customerId;
  if (!id) return { kind: 'visitor' };
  const p = caller.claims.preview;
  return { kind: 'customer', customerId: id, preview: p === 'member' || p === 'guest' || p === 'left' ? p : null };
}
