import type { AppContext } from '../../context.js';
import { encodeCursor, isTimeCursor, readCursor } from '../../http/cursor.js';
import { errorResponses, errorSchema, idParam, listQuery, page } from '../../http/schemas.js';
import { authOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { cancelCampaign, createCampaign, getCampaign, listCampaigns } from './wallet.messages.campaigns.js';
import {
  campaignBodySchema,
  campaignSchema,
  pushBodySchema,
  pushSchema,
  sendCardResultSchema,
  walletSettingsPatchSchema,
  walletSettingsSchema,
} from './wallet.messages.schemas.js';
import { createPush, getWalletSettings, listCustomerPushes, sendLoyaltyCard, updateWalletSettings } from './wallet.messages.service.js';

const before = (c: { t: string; id: string } | null) => (c ? { createdAt: new Date(c.t), id: c.id } : null);

export async function walletMessagesRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  app.get(
    '/api/v1/wallet/settings',
    {
      config: { permission: 'settings:manage' },
      schema: {
        tags: ['wallet'],
        summary: 'Wallet settings: the terms on the back of the pass, its colors, and the sender of loyalty card e-mails',
        response: { 200: walletSettingsSchema, ...errorResponses },
      },
    },
    async (request) => getWalletSettings(ctx, authOf(request).orgId),
  );

  app.patch(
    '/api/v1/wallet/settings',
    {
      config: { permission: 'settings:manage' },
      schema: {
        tags: ['wallet'],
        summary: 'Change wallet settings (fields left out are kept)',
        body: walletSettingsPatchSchema,
        response: { 200: walletSettingsSchema, ...errorResponses },
      },
    },
    async (request) => updateWalletSettings(ctx, authOf(request).orgId, request.body),
  );

  app.post(
    '/api/v1/customers/:id/wallet/send-card',
    {
      config: { permission: 'customers:write' },
      schema: {
        tags: ['customers'],
        summary: 'E-mail the member their loyalty card: Apple Wallet and Google Wallet links (the platforms configured) and their pass web app',
        description:
          'Refused with 409 when the server has no SMTP server (PATRON_SMTP_URL) or PATRON_PUBLIC_URL, no wallet platform is configured, or the customer has no e-mail address or is not a member; 503 when the mail server refuses the message.',
        params: idParam,
        response: { 200: sendCardResultSchema, ...errorResponses, 404: errorSchema, 503: errorSchema },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return sendLoyaltyCard(ctx, auth.orgId, request.params.id, auth.actor);
    },
  );

  app.post(
    '/api/v1/customers/:id/wallet/pushes',
    {
      config: { permission: 'customers:write' },
      schema: {
        tags: ['customers'],
        summary: "Send a message to the member's wallet passes (Apple: the pass updates with the message; Google: an object message)",
        description: 'The push is created now (status `created`) and sent within seconds by the worker: `sent` when at least one pass got it, else `failed` with the reason.',
        params: idParam,
        body: pushBodySchema,
        response: { 201: pushSchema, ...errorResponses, 404: errorSchema },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      return reply.code(201).send(await createPush(ctx, auth.orgId, request.params.id, request.body.message, auth.actor));
    },
  );

  app.get(
    '/api/v1/customers/:id/wallet/pushes',
    {
      config: { permission: 'customers:read' },
      schema: {
        tags: ['customers'],
        summary: "The customer's wallet pushes, single and from campaigns, newest first",
        params: idParam,
        querystring: listQuery,
        response: { 200: page(pushSchema), ...errorResponses, 404: errorSchema },
      },
    },
    async (request) => {
      const orgId = authOf(request).orgId;
      const scope = { list: 'wallet.pushes', orgId, of: request.params.id };
      const c = readCursor(ctx, scope, request.query.cursor, isTimeCursor);
      const r = await listCustomerPushes(ctx, orgId, request.params.id, request.query.limit, before(c));
      return { items: r.items, nextCursor: r.next ? encodeCursor(ctx, scope, r.next) : null };
    },
  );

  app.post(
    '/api/v1/wallet/campaigns',
    {
      config: { permission: 'customers:write' },
      schema: {
        tags: ['wallet'],
        summary: "A push campaign: one message to a segment's members (or every member), now or at sendAt",
        body: campaignBodySchema,
        response: { 201: campaignSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      return reply.code(201).send(await createCampaign(ctx, auth.orgId, request.body, auth.actor));
    },
  );

  app.get(
    '/api/v1/wallet/campaigns',
    {
      config: { permission: 'customers:read' },
      schema: {
        tags: ['wallet'],
        summary: 'Push campaigns with their counts, newest first',
        querystring: listQuery,
        response: { 200: page(campaignSchema), ...errorResponses },
      },
    },
    async (request) => {
      const orgId = authOf(request).orgId;
      const scope = { list: 'wallet.campaigns', orgId };
      const c = readCursor(ctx, scope, request.query.cursor, isTimeCursor);
      const r = await listCampaigns(ctx, orgId, request.query.limit, before(c));
      return { items: r.items, nextCursor: r.next ? encodeCursor(ctx, scope, r.next) : null };
    },
  );

  app.get(
    '/api/v1/wallet/campaigns/:id',
    {
      config: { permission: 'customers:read' },
      schema: { tags: ['wallet'], summary: 'One push campaign with its counts', params: idParam, response: { 200: campaignSchema, ...errorResponses, 404: errorSchema } },
    },
    async (request) => getCampaign(ctx, authOf(request).orgId, request.params.id),
  );

  app.post(
    '/api/v1/wallet/campaigns/:id/cancel',
    {
      config: { permission: 'customers:write' },
      schema: {
        tags: ['wallet'],
        summary: 'Cancel a scheduled or sending campaign: customers it has not reached yet are skipped (campaign left)',
        params: idParam,
        response: { 200: campaignSchema, ...errorResponses, 404: errorSchema },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return cancelCampaign(ctx, auth.orgId, request.params.id, auth.actor);
    },
  );
}
