import type { Actor, AppContext } from '../../context.js';
import { createSealer, type Sealer } from '../../core/sealing.js';
import { withTx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { defaultApiUrl, normalizeShopDomain, SHOPIFY_API_VERSION, shopifyGraphql, ShopifyCallError, type ShopifyTarget } from './shopify.client.js';
import * as repo from './shopify.repo.js';
import type { ConnectionRow } from './shopify.repo.js';
import type { ShopifySubscription } from './shopify.tables.js';

/** The topics Patron subscribes to on connect (the GraphQL enum names). */
export const SUBSCRIBED_TOPICS = [
  'CUSTOMERS_CREATE',
  'CUSTOMERS_UPDATE',
  'CUSTOMERS_DELETE',
  'ORDERS_CREATE',
  'ORDERS_PAID',
  'ORDERS_FULFILLED',
  'ORDERS_CANCELLED',
  'REFUNDS_CREATE',
  'APP_UNINSTALLED',
] as const;

export const WEBHOOK_PATH = '/webhooks/shopify';

/** Seals and opens the store's credentials; refuses when no encryption key is configured. */
export function credentialSealer(ctx: AppContext): Sealer {
  const key = ctx.config.encryptionKey;
  if (!key) {
    throw new AppError(
      'RULE_REFUSED',
      'Set PATRON_ENCRYPTION_KEY (32+ characters, kept secret and stable) to store Shopify credentials; it is required with DATABASE_URL',
      { field: 'PATRON_ENCRYPTION_KEY' },
    );
  }
  return createSealer(key, 'shopify credentials');
}

export function targetOf(row: Pick<ConnectionRow, 'api_url' | 'shop_domain'>): ShopifyTarget {
  return { apiUrl: row.api_url, trustedUrl: row.api_url !== defaultApiUrl(row.shop_domain) };
}

export function toConnectionView(row: ConnectionRow | undefined) {
  if (!row) {
    return {
      status: 'not_connected' as const,
      shop: null,
      scopes: [],
      customerAccounts: null,
      apiVersion: null,
      subscriptions: [],
      statusReason: null,
      lastWebhookAt: null,
      connectedAt: null,
      updatedAt: null,
    };
  }
  return {
    status: row.status,
    shop: row.shop_domain,
    scopes: row.scopes,
    customerAccounts: row.customer_accounts,
    apiVersion: row.api_version,
    subscriptions: row.webhook_subscriptions,
    statusReason: row.status_reason,
    lastWebhookAt: row.last_webhook_at?.toISOString() ?? null,
    connectedAt: row.connected_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export type ConnectionView = ReturnType<typeof toConnectionView>;

export interface ConnectInput {
  shop: string;
  clientId: string;
  clientSecret: string;
  accessToken: string;
  /** Where the Admin API is called; defaults to https://{shop}. */
  apiUrl?: string | undefined;
  /** The public base URL Shopify sends webhooks to; defaults to PATRON_PUBLIC_URL. */
  publicUrl?: string | undefined;
}

const SHOP_QUERY = `query PatronConnect {
  shop { customerAccountsV2 { customerAccountsVersion } }
  currentAppInstallation { accessScopes { handle } }
}`;

const SUBSCRIBE = `mutation PatronSubscribe($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
    webhookSubscription { id }
    userErrors { field message }
  }
}`;

type Obj = Record<string, unknown>;
const objectOf = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

/** Field names as the caller knows them: CLI options, or API body fields. */
export interface FieldNames {
  shop: string;
  clientId: string;
  clientSecret: string;
  accessToken: string;
  apiUrl: string;
}

const CLI_FIELDS: FieldNames = { shop: '--shop', clientId: '--client-id', clientSecret: '--client-secret', accessToken: '--access-token', apiUrl: '--api-url' };

/** Checks the store's domain, the app's credentials and the API URL; the token only when given. */
export function validateCredentials(
  input: { shop: string; clientId: string; clientSecret: string; accessToken?: string | undefined; apiUrl?: string | undefined },
  names: FieldNames = CLI_FIELDS,
): { shop: string; apiUrl: string } {
  const shop = normalizeShopDomain(input.shop);
  if (!shop) throw AppError.validation(names.shop, "must be the store's permanent domain, such as my-store.myshopify.com");
  const given: [string, string | undefined][] = [
    [names.clientId, input.clientId],
    [names.clientSecret, input.clientSecret],
  ];
  if ('accessToken' in input) given.push([names.accessToken, input.accessToken]);
  for (const [field, value] of given) {
    if (!value || !/^[\x21-\x7e]{1,500}$/.test(value)) throw AppError.validation(field, "must be given, without spaces, as shown in the app's settings");
  }
  let apiUrl = defaultApiUrl(shop);
  if (input.apiUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(input.apiUrl);
    } catch {
      throw AppError.validation(names.apiUrl, 'must be an http(s) URL such as https://my-store.myshopify.com');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw AppError.validation(names.apiUrl, 'must be an http(s) URL');
    apiUrl = input.apiUrl.replace(/\/+$/, '');
  }
  return { shop, apiUrl };
}

function webhookUrl(ctx: AppContext, input: ConnectInput): string | null {
  const base = input.publicUrl ?? ctx.config.publicUrl;
  return base ? new URL(WEBHOOK_PATH, base.endsWith('/') ? base : `${base}/`).toString() : null;
}

/**
 * Connects the organization to a store with credentials the merchant already holds: checks
 * the access token by reading the shop's customer-accounts version and the granted scopes,
 * stores the connection (secret and token sealed), then registers the webhook
 * subscriptions when a public URL is known. Reconnecting replaces the credentials.
 */
export async function connectStore(ctx: AppContext, orgId: string, input: ConnectInput): Promise<{ connection: ConnectionView; webhookUrl: string | null }> {
  const { shop, apiUrl } = validateCredentials(input);
  const sealer = credentialSealer(ctx);
  const target = targetOf({ api_url: apiUrl, shop_domain: shop });
  const others = (await repo.connectionsForShop(ctx.db, shop)).filter((c) => c.org_id !== orgId);
  if (others.length > 0) throw new AppError('CONFLICT', `${shop} is already connected to another organization; disconnect it there first`, { shop });

  let data: Obj;
  try {
    data = await shopifyGraphql(target, input.accessToken, SHOP_QUERY, {});
  } catch (err) {
    if (err instanceof ShopifyCallError) throw new AppError('RULE_REFUSED', `Could not read the shop with this access token: ${err.message}`, { field: '--access-token' });
    throw err;
  }
  const version = objectOf(objectOf(objectOf(data.shop).customerAccountsV2)).customerAccountsVersion;
  const scopes = (Array.isArray(objectOf(data.currentAppInstallation).accessScopes) ? (objectOf(data.currentAppInstallation).accessScopes as unknown[]) : [])
    .map((s) => objectOf(s).handle)
    .filter((h): h is string => typeof h === 'string');
  const now = ctx.clock.now();
  await repo.upsertConnection(ctx.db, {
    org_id: orgId,
    shop_domain: shop,
    api_url: apiUrl,
    api_version: SHOPIFY_API_VERSION,
    scopes,
    client_id: input.clientId,
    client_secret_sealed: sealer.seal(input.clientSecret),
    access_token_sealed: sealer.seal(input.accessToken),
    customer_accounts: version === 'NEW_CUSTOMER_ACCOUNTS' ? 'new' : version === 'CLASSIC' ? 'classic' : null,
    webhook_subscriptions: JSON.stringify([]),
    oauth_state_hash: null,
    oauth_state_expires_at: null,
    status: 'connected',
    status_reason: null,
    last_webhook_at: null,
    connected_at: now,
    updated_at: now,
  });
  const url = webhookUrl(ctx, input);
  const subscriptions: ShopifySubscription[] = url
    ? await subscribe(target, input.accessToken, url)
    : SUBSCRIBED_TOPICS.map((topic) => ({ topic, id: null, error: 'Not registered: set PATRON_PUBLIC_URL (or --webhook-url) to the public address of this server' }));
  const row = await repo.updateConnection(ctx.db, orgId, { webhook_subscriptions: JSON.stringify(subscriptions), updated_at: ctx.clock.now() });
  return { connection: toConnectionView(row), webhookUrl: url };
}

/** Creates one subscription per topic; a topic already subscribed at this address counts as registered. */
async function subscribe(target: ShopifyTarget, token: string, uri: string): Promise<ShopifySubscription[]> {
  const out: ShopifySubscription[] = [];
  for (const topic of SUBSCRIBED_TOPICS) {
    try {
      const data = await shopifyGraphql(target, token, SUBSCRIBE, { topic, webhookSubscription: { uri, format: 'JSON' } });
      const payload = objectOf(data.webhookSubscriptionCreate);
      const errors = Array.isArray(payload.userErrors) ? payload.userErrors.map(objectOf) : [];
      const id = objectOf(payload.webhookSubscription).id;
      if (errors.length > 0) {
        const message = errors.map((e) => String(e.message)).join('; ');
        out.push({ topic, id: null, error: /already been taken|already exists/i.test(message) ? null : message });
      } else {
        out.push({ topic, id: typeof id === 'string' ? id : null, error: null });
      }
    } catch (err) {
      out.push({ topic, id: null, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return out;
}

export async function getConnection(ctx: AppContext, orgId: string): Promise<ConnectionView> {
  return toConnectionView(await repo.findConnection(ctx.db, orgId));
}

/**
 * Disconnects the store: the access token and client secret are deleted, so Patron stops
 * calling the store and refuses its webhooks (401) until it is connected again.
 */
export async function disconnectStore(ctx: AppContext, orgId: string, actor: Actor): Promise<ConnectionView> {
  return withTx(ctx.db, async (tx) => {
    const row = await repo.lockConnection(tx, orgId);
    if (!row || row.status === 'disconnected') throw new AppError('NOT_FOUND', 'No Shopify store is connected to this organization', {});
    const now = ctx.clock.now();
    const updated = await repo.updateConnection(tx, orgId, {
      status: 'disconnected',
      status_reason: `Disconnected by ${actor.name} on ${now.toISOString().slice(0, 10)}`,
      access_token_sealed: null,
      client_secret_sealed: null,
      updated_at: now,
    });
    return toConnectionView(updated);
  });
}

/** After `app/uninstalled`: the token no longer works, so Patron stops calling the store. */
export async function markUninstalled(ctx: AppContext, orgId: string, at: Date): Promise<void> {
  await repo.updateConnection(ctx.db, orgId, {
    status: 'uninstalled',
    status_reason: `The app was uninstalled from the store on ${at.toISOString().slice(0, 10)}; connect again after reinstalling`,
    access_token_sealed: null,
    updated_at: at,
  });
}
