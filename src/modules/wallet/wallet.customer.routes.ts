import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { errorResponses, errorSchema, idParam } from '../../http/schemas.js';
import { preferencesSchema } from '../preferences/index.js';
import { authOf, callerOf, type RouteVerifier, type VerifiedCaller } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { ensurePass, passByToken, webAppUrl, type PassRef } from './wallet.core.service.js';
import { PASS_SCRIPT, PASS_SCRIPT_PATH, renderBusyPage, renderInvalidLinkPage, renderPassPage } from './wallet.customer.page.js';
import { interactionReply, issuedPassSchema, passPreferencesPatch, passTokenParam, passViewSchema, scanBody, tapBody, tapReply } from './wallet.customer.schemas.js';
import { countLinkRequest, passCustomerActor, passView, recordScan, recordTap, updatePassPreferences } from './wallet.customer.service.js';

export const PASS_LINK_VERIFIER = 'wallet-pass-link';

const invalidLink = () => new AppError('UNAUTHENTICATED', 'This card link is not valid; open it again from the wallet pass or the loyalty card e-mail');

function tokenOf(request: FastifyRequest): string {
  const t = (request.params as { token?: unknown } | undefined)?.token;
  return typeof t === 'string' ? t : '';
}

/**
 * `auth: { verifier: 'wallet-pass-link' }`: the pass token in the URL (the link printed on the
 * pass) names the organization and the customer. It is looked up by its SHA-256, so an
 * unknown token and a wrong one take the same path; either is 401.
 */
export const passLinkVerifier: RouteVerifier = {
  // Checked once the body is read within the body limit (413 beyond it), before it is parsed.
  rawBody: true,
  async verify(request: FastifyRequest, ctx: AppContext): Promise<VerifiedCaller> {
    const ref = await passByToken(ctx, tokenOf(request));
    if (!ref) throw invalidLink();
    await countLinkRequest(ctx, ref, request.ip);
    return { orgId: ref.orgId, actor: passCustomerActor(ref.customerId), claims: { customerId: ref.customerId, serialNumber: ref.serialNumber } };
  },
};

const refOf = (caller: VerifiedCaller): PassRef => ({ orgId: caller.orgId, customerId: caller.claims.customerId!, serialNumber: caller.claims.serialNumber! });

const LINK_DOC =
  'Authenticated by the pass token in the path (the link on the pass, `/c/{token}`); no cookie or other credential. ' +
  'An unknown token, or one of a customer whose personal data was erased, is 401 without saying which. ' +
  'Past 60 requests a minute for one card (or 300 from one address), 429 `TOO_MANY_REQUESTS` with `Retry-After`.';

const NO_STORE = 'no-store';

export async function walletCustomerRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  // --- the page on the pass --------------------------------------------------------------
  app.get(PASS_SCRIPT_PATH, { config: { auth: 'public' }, schema: { hide: true } }, async (_request, reply) =>
    reply.header('content-type', 'text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(PASS_SCRIPT),
  );

  app.get('/c/:token', { config: { auth: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const token = tokenOf(request);
    const ref = await passByToken(ctx, token);
    void reply.header('cache-control', NO_STORE).header('x-robots-tag', 'noindex, nofollow').type('text/html; charset=utf-8');
    if (!ref) return reply.status(404).send(renderInvalidLinkPage());
    try {
      await countLinkRequest(ctx, ref, request.ip);
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'TOO_MANY_REQUESTS') throw err;
      return reply.status(429).header('retry-after', String(err.details.retryAfterSeconds)).send(renderBusyPage());
    }
    const view = await passView(ctx, ref, token);
    if (!view) return reply.status(404).send(renderInvalidLinkPage());
    return reply.send(renderPassPage({ ...view.page, preferencesUrl: `/api/v1/pass/${encodeURIComponent(token)}/preferences` }));
  });

  // --- its JSON API ----------------------------------------------------------------------
  const tags = ['pass web app'];
  const auth = { verifier: PASS_LINK_VERIFIER } as const;
  app.get(
    '/api/v1/pass/:token',
    {
      config: { auth },
      schema: {
        tags,
        summary: "The customer's card as their pass web app shows it: balance, tier, card code, notification preferences, wallet links",
        description: LINK_DOC,
        params: passTokenParam,
        response: { 200: passViewSchema, ...errorResponses, 429: errorSchema },
      },
    },
    async (request) => {
      const view = await passView(ctx, refOf(callerOf(request)), request.params.token);
      if (!view) throw invalidLink();
      const { page: _page, ...rest } = view;
      return rest;
    },
  );
  app.patch(
    '/api/v1/pass/:token/preferences',
    {
      config: { auth },
      schema: {
        tags,
        summary: 'The customer changes their own notification preferences from the pass web app',
        description: `${LINK_DOC} JSON only (\`Content-Type: application/json\`), so a form on another site cannot send it. The timeline records the customer as the one who changed them; staff only read them.`,
        params: passTokenParam,
        body: passPreferencesPatch,
        response: { 200: preferencesSchema, ...errorResponses, 429: errorSchema },
      },
    },
    async (request) => {
      const type = String(request.headers['content-type'] ?? '');
      if (!/^application\/json\b/i.test(type)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the preferences as JSON (Content-Type: application/json)');
      const ref = refOf(callerOf(request));
      if (!(await passView(ctx, ref, request.params.token))) throw invalidLink();
      return updatePassPreferences(ctx, ref, request.body);
    },
  );

  // --- staff: issue the pass (for a till to scan, a link to hand over) -------------------
  app.post(
    '/api/v1/customers/:id/wallet/pass',
    {
      // The link carries the pass token: a stored Idempotency-Key reply keeps it sealed.
      config: { permission: 'customers:write', secretReply: true },
      schema: {
        tags: ['wallet'],
        summary: "Issue the member's wallet pass (or answer the one they have): its card code and the customer's pass web app link",
        description: 'Members only (a guest or a customer who left: 409 `MEMBERSHIP_RESTRICTED`). Issuing twice answers the same pass.',
        params: idParam,
        response: { 200: issuedPassSchema, ...errorResponses, 404: errorSchema },
      },
    },
    async (request) => {
      const pass = await ensurePass(ctx, authOf(request).orgId, request.params.id);
      return { serialNumber: pass.serialNumber, cardCode: pass.cardCode, webAppUrl: webAppUrl(ctx, pass.token) };
    },
  );

  // --- scans and taps --------------------------------------------------------------------
  app.post(
    '/api/v1/scans',
    {
      config: { permission: 'customers:write' },
      schema: {
        tags: ['wallet'],
        summary: "A till or staff app scanned a loyalty card's code: records the scan and answers who the customer is",
        description:
          'Finds the customer by the card code on their pass (case, spaces and dashes ignored), records a scan (the profile counts scans; the timeline shows "Scanned at <location> (<device>)"), and answers their name, membership, balance, tier and the rewards they can redeem. ' +
          'An unknown code, or one of another organization, is 404. With `Idempotency-Key`, a retried scan is recorded once.',
        body: scanBody,
        response: { 201: interactionReply, ...errorResponses, 404: errorSchema },
      },
    },
    async (request, reply) => {
      const a = authOf(request);
      return reply.status(201).send(await recordScan(ctx, a.orgId, a.actor, request.body));
    },
  );
  app.post(
    '/api/v1/taps',
    {
      config: { permission: 'customers:write' },
      schema: {
        tags: ['wallet'],
        summary: 'An NFC reader read a wallet pass: records the tap (the profile counts taps as clicks)',
        description:
          'For NFC readers with an API key (staff sessions are refused). Send the card code or the pass serial number the reader read, and the wallet it came from. ' +
          'The timeline shows "Tapped an NFC reader with the Apple pass at <location> (<device>)". With `Idempotency-Key`, a retried tap is recorded once.',
        body: tapBody,
        response: { 201: tapReply, ...errorResponses, 404: errorSchema },
      },
    },
    async (request, reply) => {
      const a = authOf(request);
      if (a.via !== 'api_key') {
        throw new AppError('PERMISSION_DENIED', 'Taps are sent by NFC readers with an API key, not from a staff session', { requires: 'api_key' });
      }
      return reply.status(201).send(await recordTap(ctx, a.orgId, a.actor, request.body));
    },
  );
}
