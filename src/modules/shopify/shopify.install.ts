import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { normalizeShopDomain, postOutbound, SHOPIFY_API_VERSION, ShopifyCallError } from './shopify.client.js';
import { connectStore, credentialSealer, targetOf, validateCredentials } from './shopify.connection.js';
import { parseLosslessJson } from './lossless-json.js';
import * as repo from './shopify.repo.js';

/** What Patron reads (customers, orders; refunds come with orders) and writes (rewards' discount codes). */
export const REQUESTED_SCOPES = ['read_customers', 'read_orders', 'write_discounts'];
export const INSTALL_PATH = '/integrations/shopify/install';
export const CALLBACK_PATH = '/integrations/shopify/callback';
const STATE_TTL_MS = 10 * 60 * 1000;

function publicBase(ctx: AppContext): string {
  const base = ctx.config.publicUrl;
  if (!base) {
    throw new AppError('RULE_REFUSED', 'Set PATRON_PUBLIC_URL to the public address of this server: Shopify sends the merchant back to it after authorization', {
      field: 'PATRON_PUBLIC_URL',
    });
  }
  return base.endsWith('/') ? base : `${base}/`;
}

const hashState = (state: string) => createHash('sha256').update(state).digest('hex');

/**
 * Prepares the authorization-code install of the merchant's own app: stores its client id
 * and secret (sealed) for the shop and returns the address the merchant opens to install.
 * A store already connected stays connected until the new token replaces its token.
 */
export async function prepareInstall(ctx: AppContext, orgId: string, input: { shop: string; clientId: string; clientSecret: string; apiUrl?: string | undefined }) {
  const { shop, apiUrl } = validateCredentials(input);
  const base = publicBase(ctx);
  const sealer = credentialSealer(ctx);
  const others = (await repo.connectionsForShop(ctx.db, shop)).filter((c) => c.org_id !== orgId);
  if (others.length > 0) throw new AppError('CONFLICT', `${shop} is already connected to another organization; disconnect it there first`, { shop });
  const existing = await repo.findConnection(ctx.db, orgId);
  const now = ctx.clock.now();
  const keep = existing && existing.status === 'connected' && existing.shop_domain === shop;
  await repo.upsertConnection(ctx.db, {
    org_id: orgId,
    shop_domain: shop,
    api_url: apiUrl,
    api_version: existing?.api_version ?? SHOPIFY_API_VERSION,
    scopes: keep ? existing.scopes : [],
    client_id: input.clientId,
    client_secret_sealed: sealer.seal(input.clientSecret),
    access_token_sealed: keep ? existing.access_token_sealed : null,
    customer_accounts: keep ? existing.customer_accounts : null,
    webhook_subscriptions: JSON.stringify(keep ? existing.webhook_subscriptions : []),
    oauth_state_hash: null,
    oauth_state_expires_at: null,
    status: keep ? 'connected' : 'installing',
    status_reason: keep ? existing.status_reason : 'Waiting for the merchant to install the app',
    last_webhook_at: existing?.last_webhook_at ?? null,
    connected_at: existing?.connected_at ?? now,
    updated_at: now,
  });
  return { installUrl: new URL(`${INSTALL_PATH.slice(1)}?shop=${encodeURIComponent(shop)}`, base).toString() };
}

/** The store's authorization page for a shop being installed, with a fresh single-use `state`. */
export async function authorizeUrl(ctx: AppContext, rawShop: string | undefined): Promise<string> {
  const shop = rawShop ? normalizeShopDomain(rawShop) : null;
  if (!shop) throw AppError.validation('shop', 'must be the store\'s permanent domain, such as my-store.myshopify.com');
  const [connection] = (await repo.connectionsForShop(ctx.db, shop)).filter((c) => c.status === 'installing' || c.status === 'connected' || c.status === 'uninstalled');
  if (!connection) throw new AppError('NOT_FOUND', `No install of ${shop} was prepared; run patron shopify install first`, { shop });
  const state = randomBytes(24).toString('base64url');
  const now = ctx.clock.now();
  await repo.updateConnection(ctx.db, connection.org_id, { oauth_state_hash: hashState(state), oauth_state_expires_at: new Date(now.getTime() + STATE_TTL_MS), updated_at: now });
  const url = new URL('admin/oauth/authorize', `${connection.api_url}/`);
  url.searchParams.set('client_id', connection.client_id);
  url.searchParams.set('scope', REQUESTED_SCOPES.join(','));
  url.searchParams.set('redirect_uri', new URL(CALLBACK_PATH.slice(1), publicBase(ctx)).toString());
  url.searchParams.set('state', state);
  return url.toString();
}

/**
 * The `hmac` of an OAuth callback: hex HMAC-SHA256, keyed with the client secret, of the
 * other query parameters sorted by name as `name=value` joined with `&` (without `hmac`
 * and `signature`).
 */
export function verifyQueryHmac(query: Record<string, string>, secret: string): boolean {
  const given = query.hmac;
  if (!given || !/^[0-9a-f]{64}$/i.test(given)) return false;
  const message = Object.keys(query)
    .filter((k) => k !== 'hmac' && k !== 'signature')
    .sort()
    .map((k) => `${k}=${query[k]}`)
    .join('&');
  const expected = createHmac('sha256', secret).update(message).digest();
  return timingSafeEqual(Buffer.from(given, 'hex'), expected);
}

/**
 * Shopify's redirect back after the merchant approved: the `hmac` and the single-use
 * `state` are checked first, then the code is exchanged for an access token and the store
 * is connected (scopes and customer accounts read, webhooks subscribed).
 */
export async function completeInstall(ctx: AppContext, query: Record<string, string>): Promise<{ shop: string }> {
  const refuse = (why: string) => new AppError('UNAUTHENTICATED', `The install could not be verified: ${why}; start it again`);
  const shop = query.shop ? normalizeShopDomain(query.shop) : null;
  if (!shop) throw refuse('no valid shop');
  const sealer = credentialSealer(ctx);
  const now = ctx.clock.now();
  for (const c of await repo.connectionsForShop(ctx.db, shop)) {
    let secret: string;
    try {
      secret = sealer.open(c.client_secret_sealed!);
    } catch {
      continue;
    }
    if (!verifyQueryHmac(query, secret)) continue;
    const state = query.state ?? '';
    const expected = c.oauth_state_hash;
    if (!expected || !c.oauth_state_expires_at || c.oauth_state_expires_at < now || !timingSafeEqual(Buffer.from(hashState(state)), Buffer.from(expected))) {
      throw refuse('the state is unknown, used or expired');
    }
    await repo.updateConnection(ctx.db, c.org_id, { oauth_state_hash: null, oauth_state_expires_at: null });
    if (!query.code) throw refuse('no authorization code');
    const token = await exchangeCode(c, secret, query.code);
    await connectStore(ctx, c.org_id, { shop, clientId: c.client_id, clientSecret: secret, accessToken: token, apiUrl: c.api_url });
    return { shop };
  }
  throw refuse('the signature does not match');
}

async function exchangeCode(c: repo.ConnectionRow, secret: string, code: string): Promise<string> {
  let reply;
  try {
    reply = await postOutbound(targetOf(c), 'admin/oauth/access_token', JSON.stringify({ client_id: c.client_id, client_secret: secret, code }), {});
  } catch (err) {
    if (err instanceof ShopifyCallError) throw new AppError('RULE_REFUSED', `Shopify could not be reached to finish the install: ${err.message}`, {});
    throw err;
  }
  let token: unknown;
  try {
    token = (parseLosslessJson(reply.body) as Record<string, unknown>).access_token;
  } catch {
    token = undefined;
  }
  if (reply.status !== 200 || typeof token !== 'string' || token === '') {
    throw new AppError('RULE_REFUSED', `Shopify refused the authorization code (HTTP ${reply.status}); start the install again`, {});
  }
  return token;
}
