import { z } from 'zod';
import type { FastifyReply } from 'fastify';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { errorResponses, errorSchema, idParam } from '../../http/schemas.js';
import { authOf, callerOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { PKPASS_MEDIA_TYPE } from './wallet.apple.pkpass.js';
import { applePass, registerDevice, serialsUpdated, unregisterDevice } from './wallet.apple.service.js';
import { passByToken } from './wallet.core.service.js';

/** The PassKit web service's base path: `webServiceURL` is PATRON_PUBLIC_URL + this. */
export const PASSKIT_PREFIX = '/api/passkit';

const sendPass = (reply: FastifyReply, pass: { bytes: Buffer; changedAt: Date }) =>
  reply
    .header('content-type', PKPASS_MEDIA_TYPE)
    .header('content-disposition', 'attachment; filename="pass.pkpass"')
    .header('last-modified', pass.changedAt.toUTCString())
    .header('cache-control', 'no-store')
    .send(pass.bytes);

const deviceParams = z.object({ deviceLibraryId: z.string().min(1).max(200), passTypeId: z.string().min(1).max(200), serialNumber: z.string().min(1).max(64) });

export async function appleRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  app.get(
    '/api/v1/customers/:id/wallet/apple.pkpass',
    {
      config: { permission: 'customers:read' },
      schema: {
        tags: ['customers'],
        summary: "Download the member's Apple Wallet pass (.pkpass), issuing it on first use",
        description: '409 for a guest or a customer who left; 422 when Apple Wallet is not configured (`patron wallet apple configure`).',
        params: idParam,
        response: { 200: z.string().meta({ contentMediaType: PKPASS_MEDIA_TYPE, description: 'The signed pass bundle (ZIP)' }), ...errorResponses, 404: errorSchema, 409: errorSchema, 422: errorSchema },
      },
    },
    async (request, reply) => sendPass(reply, await applePass(ctx, authOf(request).orgId, request.params.id)),
  );

  // The customer's own download, linked from the pass web app: the pass token is the credential.
  app.get('/c/:token/apple.pkpass', { config: { auth: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const { token } = request.params as { token: string };
    const pass = await passByToken(ctx, token);
    if (!pass) throw AppError.notFound('Pass');
    return sendPass(reply, await applePass(ctx, pass.orgId, pass.customerId));
  });

  // PassKit web service (Apple's protocol, called by Wallet on devices).
  const verified = { auth: { verifier: 'apple-pass' } } as const;
  app.post(
    `${PASSKIT_PREFIX}/v1/devices/:deviceLibraryId/registrations/:passTypeId/:serialNumber`,
    { config: verified, schema: { hide: true, params: deviceParams, body: z.object({ pushToken: z.string().min(1).max(200) }).passthrough() } },
    async (request, reply) => {
      const outcome = await registerDevice(ctx, callerOf(request), request.params.deviceLibraryId, request.body.pushToken);
      return reply.code(outcome === 'created' ? 201 : 200).send();
    },
  );
  app.delete(
    `${PASSKIT_PREFIX}/v1/devices/:deviceLibraryId/registrations/:passTypeId/:serialNumber`,
    { config: verified, schema: { hide: true, params: deviceParams } },
    async (request, reply) => {
      await unregisterDevice(ctx, callerOf(request), request.params.deviceLibraryId);
      return reply.code(200).send();
    },
  );
  app.get(
    `${PASSKIT_PREFIX}/v1/devices/:deviceLibraryId/registrations/:passTypeId`,
    {
      config: { auth: 'public' },
      schema: { hide: true, params: deviceParams.omit({ serialNumber: true }), querystring: z.object({ passesUpdatedSince: z.string().max(40).optional() }) },
    },
    async (request, reply) => {
      const found = await serialsUpdated(ctx, request.params.deviceLibraryId, request.params.passTypeId, request.query.passesUpdatedSince);
      if (!found) return reply.code(204).send();
      return reply.code(200).send(found);
    },
  );
  app.get(
    `${PASSKIT_PREFIX}/v1/passes/:passTypeId/:serialNumber`,
    { config: verified, schema: { hide: true, params: deviceParams.omit({ deviceLibraryId: true }) } },
    async (request, reply) => {
      const caller = callerOf(request);
      const pass = await applePass(ctx, caller.orgId, caller.claims.customerId!);
      const since = Date.parse(request.headers['if-modified-since'] ?? '');
      if (Number.isFinite(since) && Math.floor(pass.changedAt.getTime() / 1000) * 1000 <= since) {
        return reply.code(304).header('last-modified', pass.changedAt.toUTCString()).send();
      }
      return sendPass(reply, pass);
    },
  );
  app.post(`${PASSKIT_PREFIX}/v1/log`, { config: { auth: 'public' }, schema: { hide: true, body: z.object({ logs: z.array(z.string().max(2000)).max(100) }).passthrough() } }, async (request, reply) => {
    for (const line of request.body.logs) ctx.logger.warn({ passkit: line }, 'Apple Wallet reported a problem');
    return reply.code(200).send();
  });
}
