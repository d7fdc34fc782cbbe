import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: { orgId: string; key: string } | null;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function requestHash(request: FastifyRequest): string {
  const path = request.url.split('?')[0] ?? request.url;
  const body = request.body === undefined ? '' : JSON.stringify(request.body);
  return createHash('sha256').update(`${request.method}\n${path}\n${body}`).digest('hex');
}

/**
 * `Idempotency-Key` on any mutation: the first request claims the key; a retry with the
 * same body gets the stored first response; a different body is 409. A request still
 * running under the key is 409 too (retry later). Server errors release the key.
 */
export function registerIdempotency(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest('idempotency', null);

  // Runs after the security preHandler (registered earlier), so auth is known.
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
    const inserted = await ctx.db
      .insertInto('idempotency_keys')
      .values({ org_id: orgId, key, method: request.method, path, request_hash: hash })
      .onConflict((oc) => oc.columns(['org_id', 'key']).doNothing())
      .returning('key')
      .executeTakeFirst();
    if (inserted) {
      request.idempotency = { orgId, key };
      return;
    }
    const existing = await ctx.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('key', '=', key)
      .executeTakeFirst();
    if (!existing) throw new AppError('IDEMPOTENCY_REQUEST_IN_PROGRESS', 'Retry this request in a moment');
    if (existing.request_hash !== hash) {
      throw new AppError(
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was already used with a different request; use a new key for a new request',
        { key },
      );
    }
    if (existing.status !== 'done' || existing.response_status === null) {
      throw new AppError('IDEMPOTENCY_REQUEST_IN_PROGRESS', 'The first request with this Idempotency-Key is still running; retry shortly', { key });
    }
    await reply
      .status(existing.response_status)
      .header('idempotent-replayed', 'true')
      .header('content-type', 'application/json; charset=utf-8')
      .send(JSON.stringify(existing.response_body));
    return reply;
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const idem = request.idempotency;
    if (!idem) return payload;
    request.idempotency = null;
    const ct = String(reply.getHeader('content-type') ?? '');
    if (reply.statusCode >= 500 || typeof payload !== 'string' || (payload !== '' && !ct.includes('json'))) {
      await ctx.db.deleteFrom('idempotency_keys').where('org_id', '=', idem.orgId).where('key', '=', idem.key).execute();
      return payload;
    }
    await ctx.db
      .updateTable('idempotency_keys')
      .set({ status: 'done', response_status: reply.statusCode, response_body: payload === '' ? 'null' : payload })
      .where('org_id', '=', idem.orgId)
      .where('key', '=', idem.key)
      .execute();
    return payload;
  });
}
