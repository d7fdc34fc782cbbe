import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Actor, AppContext } from '../../context.js';
import { newId } from '../../db/ids.js';
import { withTx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { rawBodyOf, type RouteVerifier } from '../../http/security.js';
import { enqueue } from '../../jobs/queue.js';
import { normalizeShopDomain } from './shopify.client.js';
import { credentialSealer } from './shopify.connection.js';
import * as repo from './shopify.repo.js';
import type { ConnectionRow, WebhookRow } from './shopify.repo.js';
import { keysetPage } from '../../db/paging.js';

/** The store, as the timeline shows what its webhooks changed. */
export function shopifyActor(shop: string): Actor {
  return { type: 'integration', id: shop, name: `Shopify (${shop})` };
}

export const SHOPIFY_WEBHOOK_JOB = 'shopify.webhook';
/** Shopify retries a delivery for 4 hours; a refund waiting for its order retries about as long. */
const MAX_ATTEMPTS = 13;

/** base64(HMAC-SHA256(secret, raw body)) compared in constant time with the header. */
export function verifyWebhookHmac(rawBody: Buffer, header: string | undefined, secret: string): boolean {
  if (!header || !/^[A-Za-z0-9+/]+={0,2}$/.test(header)) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const given = Buffer.from(header, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export type Headers = Record<string, string | string[] | undefined>;

const header = (headers: Headers, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * The connection whose client secret signed this body, or a reason it is refused. Nothing
 * about the body is read: only the shop header, the signature and the raw bytes.
 */
export async function authenticateWebhook(ctx: AppContext, headers: Headers, rawBody: Buffer): Promise<{ connection: ConnectionRow } | { refused: string }> {
  const shopHeader = header(headers, 'x-shopify-shop-domain');
  const signature = header(headers, 'x-shopify-hmac-sha256');
  if (!signature) return { refused: 'no X-Shopify-Hmac-Sha256 header' };
  const shop = shopHeader ? normalizeShopDomain(shopHeader) : null;
  if (!shop) return { refused: 'no valid X-Shopify-Shop-Domain header' };
  const candidates = await repo.connectionsForShop(ctx.db, shop);
  if (candidates.length === 0) return { refused: `no connected store ${shop}` };
  if (!ctx.config.encryptionKey) return { refused: 'PATRON_ENCRYPTION_KEY is not set, so no client secret can be read' };
  const sealer = credentialSealer(ctx);
  for (const connection of candidates) {
    let secret: string;
    try {
      secret = sealer.open(connection.client_secret_sealed!);
    } catch {
      continue; // sealed under another PATRON_ENCRYPTION_KEY
    }
    if (verifyWebhookHmac(rawBody, signature, secret)) return { connection };
  }
  return { refused: `signature does not match for ${shop}` };
}

/**
 * `auth: { verifier: 'shopify-webhook' }`: the signature is checked on the exact body
 * bytes before they are parsed; a refusal is 401 with one warning line naming the reason.
 */
export const shopifyWebhookVerifier: RouteVerifier = {
  rawBody: true,
  async verify(request: FastifyRequest, ctx: AppContext) {
    const verified = await authenticateWebhook(ctx, request.headers, rawBodyOf(request));
    if ('refused' in verified) {
      request.log.warn({ reason: verified.refused }, 'shopify webhook refused');
      throw new AppError('UNAUTHENTICATED', 'The webhook signature is not valid for a connected store');
    }
    const shop = verified.connection.shop_domain;
    return { orgId: verified.connection.org_id, actor: shopifyActor(shop), claims: { shop } };
  },
};

/**
 * Stores a verified delivery once (by webhook id, and by event id within its topic) and
 * enqueues the job that processes it, in one transaction. A duplicate changes nothing.
 */
export async function storeWebhook(ctx: AppContext, connection: Pick<ConnectionRow, 'org_id' | 'shop_domain'>, headers: Headers, rawBody: Buffer): Promise<{ id: string | null; duplicate: boolean }> {
  const topic = header(headers, 'x-shopify-topic');
  const webhookId = header(headers, 'x-shopify-webhook-id');
  if (!topic || !/^[a-z_]+\/[a-z_]+$/.test(topic)) throw AppError.validation('X-Shopify-Topic', 'must be a topic such as orders/paid');
  if (!webhookId || webhookId.length > 200) throw AppError.validation('X-Shopify-Webhook-Id', 'must be the delivery id Shopify sends');
  const body = rawBody.toString('utf8');
  if (body.includes('\u0000')) throw AppError.validation('body', 'contains a NUL character, which cannot be stored');
  const eventId = header(headers, 'x-shopify-event-id');
  const triggered = header(headers, 'x-shopify-triggered-at');
  const triggeredAt = triggered && !Number.isNaN(Date.parse(triggered)) ? new Date(triggered) : null;
  const apiVersion = header(headers, 'x-shopify-api-version');
  const now = ctx.clock.now();
  const orgId = connection.org_id;
  return withTx(ctx.db, async (tx) => {
    const inserted = await repo.insertWebhookIfNew(tx, {
      org_id: orgId,
      id: newId(now.getTime()),
      webhook_id: webhookId,
      event_id: eventId && eventId.length <= 200 ? eventId : null,
      topic,
      shop_domain: connection.shop_domain,
      api_version: apiVersion && apiVersion.length <= 20 ? apiVersion : null,
      triggered_at: triggeredAt,
      body,
      error: null,
      result: null,
      received_at: now,
      processed_at: null,
    });
    await repo.updateConnection(tx, orgId, { last_webhook_at: now });
    if (!inserted) return { id: null, duplicate: true };
    await enqueue(tx, { orgId, type: SHOPIFY_WEBHOOK_JOB, payload: { webhookId: inserted.id }, runAt: now, maxAttempts: MAX_ATTEMPTS, dedupeKey: `${SHOPIFY_WEBHOOK_JOB}:${inserted.id}` });
    return { id: inserted.id, duplicate: false };
  });
}

export function toWebhookView(row: WebhookRow) {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    eventId: row.event_id,
    topic: row.topic,
    shop: row.shop_domain,
    status: row.status,
    attempts: row.attempts,
    error: row.error,
    result: row.result,
    triggeredAt: row.triggered_at?.toISOString() ?? null,
    receivedAt: row.received_at.toISOString(),
    processedAt: row.processed_at?.toISOString() ?? null,
  };
}

export async function listWebhooks(ctx: AppContext, orgId: string, opts: { status?: string | undefined; limit: number; before: { receivedAt: Date; id: string } | null }) {
  const { page, next } = await keysetPage(
    opts.limit,
    (limit) => repo.listWebhooks(ctx.db, orgId, { ...opts, limit }),
    (last) => ({ receivedAt: last.received_at.toISOString(), id: last.id }),
  );
  return { items: page.map(toWebhookView), next };
}

/** Queues a delivery that failed to be processed again (its stored body, as received). */
export async function retryWebhook(ctx: AppContext, orgId: string, id: string) {
  return withTx(ctx.db, async (tx) => {
    const row = await repo.lockWebhook(tx, orgId, id);
    if (!row) throw AppError.notFound('Shopify webhook', id);
    if (row.status === 'processed') throw new AppError('CONFLICT', 'This webhook was already processed; retrying it would change nothing', { id });
    const now = ctx.clock.now();
    await repo.updateWebhook(tx, orgId, id, { status: 'received', error: null });
    await enqueue(tx, { orgId, type: SHOPIFY_WEBHOOK_JOB, payload: { webhookId: id }, runAt: now, maxAttempts: MAX_ATTEMPTS });
    return toWebhookView({ ...row, status: 'received', error: null });
  });
}
