import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { errorResponses, errorSchema, idParam } from '../../http/schemas.js';
import { authOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { passByToken } from './wallet.core.service.js';
import { googleSaveLink } from './wallet.google.service.js';

const googleLinkSchema = z
  .object({
    saveUrl: z.string().describe('"Save to Google Wallet" address: https://pay.google.com/gp/v/save/<JWT signed with the service account key>'),
    objectId: z.string().describe("The member's loyalty object at Google (<issuer id>.<pass serial number>)"),
    saved: z.boolean().describe('Whether Google last said someone saved the pass (read on each update of the object)'),
  })
  .meta({ id: 'GoogleWalletLink' });

export async function walletGoogleRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  app.get(
    '/api/v1/customers/:id/wallet/google',
    {
      config: { permission: 'customers:read' },
      schema: {
        tags: ['customers'],
        summary: 'The member\'s "Save to Google Wallet" link',
        description:
          'Issues the member\'s pass if needed (members only: a guest or a customer who left is 409). The link carries the loyalty object (points, tier, card code) in a JWT signed RS256 with the organization\'s service-account key; later changes update the object through the Google Wallet API. 422 when Google Wallet is not configured (`patron wallet google configure`).',
        params: idParam,
        response: { 200: googleLinkSchema, ...errorResponses, 404: errorSchema, 409: errorSchema, 422: errorSchema },
      },
    },
    async (request) => googleSaveLink(ctx, authOf(request).orgId, request.params.id),
  );

  // The customer's own link (from the pass web app or the loyalty card e-mail): straight to Google.
  app.get('/c/:token/google', { config: { auth: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const token = (request.params as { token?: unknown }).token;
    const ref = typeof token === 'string' ? await passByToken(ctx, token) : null;
    void reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex, nofollow').type('text/plain; charset=utf-8');
    if (!ref) return reply.status(404).send('This card link is not valid; open it again from your wallet pass or the loyalty card e-mail.');
    try {
      const link = await googleSaveLink(ctx, ref.orgId, ref.customerId);
      return reply.redirect(link.saveUrl, 302);
    } catch (err) {
      if (err instanceof AppError && err.status < 500) return reply.status(404).send('Google Wallet is not available for this card; ask the store to send your loyalty card again.');
      throw err;
    }
  });
}
