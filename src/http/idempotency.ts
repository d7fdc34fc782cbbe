import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import type { AppContext } from '../context.js';
import type { Scope } from '../db/request-scope.js';
import { AppError } from '../errors.js';
import { claimKey, findKey, storeReply } from './idempotency.repo.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';

interface IdempotentRequest {
  orgId: string;
  key: string;
  /** The request-wide transaction holding the claim, the writes and the reply. */
  scope: Scope;
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: IdempotentRequest | null;
  }
  interface FastifyContextConfig {
    /**
     * The reply carries a secret shown once (an API key, an invitation link): its stored
     * copy for Idempotency-Key replays is encrypted at rest.
     */
    secretReply?: boolean;
  }
}

const SEALED = 'sealed:v1:';

/** AES-256-GCM with a key derived from the session secret, for replies that carry secrets. */
function replySealer(secret: string) {
  const key = createHmac('sha256', secret).update('patron idempotency reply v1').digest();
  return {
    seal(plain: string): string {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return SEALED + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
    },
    open(stored: string): string {
      if (!stored.startsWith(SEALED)) return stored;
      const raw = Buffer.from(stored.slice(SEALED.length), 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function requestHash(request: FastifyRequest): string {
  const path = request.url.split('?')[0] ?? request.url;
  const body = request.body === undefined ? '' : JSON.stringify(request.body);
  return createHash('sha256').update(`${request.method}\n${path}\n${body}`).digest('hex');
}

/**
 * `Idempotency-Key` on any mutation. The request runs in one database transaction that
 * claims the key, makes the request's writes and stores its reply, committed just before
 * the reply is sent:
 * - a retry after the commit gets the stored first reply, byte for byte;
 * - a retry while the first request runs waits for it (the claim is a row lock), then
 *   gets its reply, or runs itself if the first failed;
 * - a process killed at any point before the commit leaves nothing: PostgreSQL rolls the
 *   transaction back, so the retry runs the request exactly once.
 * A different body under the same key is 409. Server errors store nothing.
 */
export function registerIdempotency(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest('idempotency', null);
  const scopes = ctx.database.scopes;
  const sealer = replySealer(ctx.config.sessionSecret);

  // Every handler runs inside its request's scope, so all of its queries join that transaction.
  app.addHook('onRoute', (route) => {
    if (![route.method].flat().some((m) => UNSAFE.has(m))) return;
    const handler = route.handler as RouteHandlerMethod;
    route.handler = function scopedHandler(this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
      const idem = request.idempotency;
      if (!idem) return handler.call(this, request, reply);
      return scopes.run(idem.scope, () => handler.call(this, request, reply));
    };
  });

  // Runs after the security hook, so the caller is known.
  app.addHook('preHandler', async (request, reply) => {
    if (!UNSAFE.has(request.method) || !request.auth) return;
    // A multipart upload's body is streamed to the handler, so it cannot be compared here;
    // imports are idempotent by file content instead (the same file never applies twice).
    if (String(request.headers['content-type'] ?? '').startsWith('multipart/')) return;
    const raw = request.headers[IDEMPOTENCY_HEADER];
    if (raw === undefined) return;
    const key = Array.isArray(raw) ? raw[0] : raw;
    if (!key || key.length > 200 || !/^[\x21-\x7e]+$/.test(key)) {
      throw AppError.validation('Idempotency-Key', 'must be 1-200 visible ASCII characters (a UUID works well)');
    }
    const orgId = request.auth.orgId;
    const hash = requestHash(request);
    const path = request.url.split('?')[0] ?? request.url;
    const scope = await scopes.open();
    let existing;
    try {
      // Waits while another request holds the same key uncommitted.
      const claimed = await scopes.run(scope, () => claimKey(ctx.db, { orgId, key, method: request.method, path, requestHash: hash }));
      if (claimed) {
        request.idempotency = { orgId, key, scope };
        return;
      }
      existing = await scopes.run(scope, () => findKey(ctx.db, orgId, key));
    } finally {
      if (!request.idempotency) await scopes.rollback(scope);
    }
    if (!existing) throw new AppError('IDEMPOTENCY_REQUEST_IN_PROGRESS', 'Retry this request in a moment', { key });
    if (existing.request_hash !== hash) {
      throw new AppError(
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was already used with a different request; use a new key for a new request',
        { key },
      );
    }
    if (existing.status !== 'done' || existing.response_status === null) {
      // Only rows written before claims became transactional can be unfinished.
      throw new AppError('IDEMPOTENCY_REQUEST_IN_PROGRESS', 'The first request with this Idempotency-Key did not finish; use a new key', { key });
    }
    let body: string;
    try {
      body = existing.response_raw !== null ? sealer.open(existing.response_raw) : JSON.stringify(existing.response_body);
    } catch {
      // Sealed under another SESSION_SECRET: the reply cannot be shown again.
      throw new AppError('IDEMPOTENCY_KEY_REUSED', 'The first reply under this Idempotency-Key can no longer be shown; use a new key', { key });
    }
    await reply
      .status(existing.response_status)
      .header('idempotent-replayed', 'true')
      .header('content-type', existing.response_content_type ?? 'application/json; charset=utf-8')
      .send(body);
    return reply;
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const idem = request.idempotency;
    if (!idem) return payload;
    request.idempotency = null;
    const ct = String(reply.getHeader('content-type') ?? '');
    if (reply.statusCode >= 500 || typeof payload !== 'string' || (payload !== '' && !ct.includes('json'))) {
      await scopes.rollback(idem.scope);
      return payload;
    }
    try {
      await scopes.run(idem.scope, () =>
        storeReply(ctx.db, idem.orgId, idem.key, {
          status: reply.statusCode,
          raw: request.routeOptions.config.secretReply ? sealer.seal(payload) : payload,
          contentType: ct || null,
        }),
      );
      await scopes.commit(idem.scope);
      return payload;
    } catch (err) {
      await scopes.rollback(idem.scope);
      request.log.error({ err }, 'could not commit an idempotent request');
      void reply.status(503).header('content-type', 'application/json; charset=utf-8');
      return JSON.stringify({
        error: {
          code: 'UNAVAILABLE',
          message: 'The change was not saved; retry with the same Idempotency-Key',
          details: { retryable: true },
        },
      });
    }
  });

  // A request that ends without a reply being sent (client gone, hook failure) gives its scope back.
  const release = async (request: FastifyRequest) => {
    const idem = request.idempotency;
    if (!idem) return;
    request.idempotency = null;
    await scopes.rollback(idem.scope);
  };
  app.addHook('onResponse', release);
  app.addHook('onRequestAbort', release);
}
