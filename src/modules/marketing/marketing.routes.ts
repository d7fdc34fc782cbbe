import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { errorResponses, errorSchema, idParam } from '../../http/schemas.js';
import { authOf } from '../../http/security.js';
import type { ZodApp } from '../../http/types.js';
import { PROVIDERS } from './marketing.providers.js';
import { connectTool, customerSyncStatus, disconnectTool, getIntegration, resyncCustomer, testTool } from './marketing.service.js';

const tags = ['integrations'];
const states = z.enum(['pending', 'synced', 'failed', 'skipped']);
const consent = z.enum(['subscribed', 'unsubscribed', 'never_subscribed']);
const toolName = z.enum(PROVIDERS.map((p) => p.tool) as [string, ...string[]]);

const integrationSchema = z
  .object({
    tool: toolName,
    label: z.string(),
    status: z.enum(['not_connected', 'connected', 'disabled']),
    enabled: z.boolean(),
    baseUrl: z.string().nullable().describe("Where the tool is called; the tool's own address unless changed"),
    defaultBaseUrl: z.string(),
    baseUrlSetByOperator: z.boolean().describe('Set with `patron marketing connect --base-url` (may be a private address)'),
    keyHint: z.string().nullable().describe('The last four characters of the stored API key (the key itself is never returned)'),
    keyHelp: z.string().describe('Where to create the key and which scopes it needs'),
    lastError: z.string().nullable(),
    lastErrorAt: z.string().nullable(),
    lastSuccessAt: z.string().nullable(),
    connectedAt: z.string().nullable(),
    counts: z.object({ synced: z.number().int(), pending: z.number().int(), failed: z.number().int(), skipped: z.number().int() }).describe('Customers by sync state'),
    firstSync: z
      .object({
        jobId: z.string(),
        status: z.string(),
        progress: z.record(z.string(), z.unknown()).nullable().describe('Bulk import progress: submitted, completed, failed, imports, oneByOne'),
        error: z.string().nullable(),
      })
      .nullable(),
  })
  .meta({ id: 'MarketingIntegration' });

const connectBody = z
  .object({
    apiKey: z.string().max(500).optional().describe('Required to connect; give it again only to change the key'),
    enabled: z.boolean().optional(),
    baseUrl: z.string().max(500).nullable().optional().describe("A public https address replacing the tool's own (a proxy); null: the tool's own address"),
  })
  .strict();

export const customerSyncSchema = z
  .object({
    customerId: z.string(),
    tools: z.array(
      z.object({
        tool: toolName,
        label: z.string(),
        enabled: z.boolean(),
        state: states,
        reason: z.string().nullable().describe('failed: the error; skipped: why (no email, anonymized); pending: the last error while retrying'),
        lastSyncedAt: z.string().nullable(),
        consent: consent.nullable().describe('Email marketing consent as read back from the tool'),
        consentReadAt: z.string().nullable(),
        attempts: z.number().int(),
        nextAttemptAt: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'CustomerMarketingSync' });

export async function marketingRoutes(app: ZodApp, ctx: AppContext): Promise<void> {
  for (const provider of PROVIDERS) {
    const tool = provider.tool;
    const path = `/api/v1/integrations/${tool}`;
    app.get(
      path,
      { config: { permission: 'settings:manage' }, schema: { tags, summary: `${provider.label}: connection, last error and customers by sync state (never the key)`, response: { 200: integrationSchema, ...errorResponses } } },
      async (request) => getIntegration(ctx, authOf(request).orgId, tool),
    );
    app.put(
      path,
      {
        config: { permission: 'settings:manage' },
        schema: {
          tags,
          summary: `Connect ${provider.label} with an API key, or change its key, address or enabled flag`,
          description: `The key (and a new address) is checked with a call to ${provider.label} first: 422 when it refuses. The key is stored encrypted and never returned. The first connection queues the first sync of every customer.`,
          body: connectBody,
          response: { 200: integrationSchema, ...errorResponses },
        },
      },
      async (request) => connectTool(ctx, authOf(request).orgId, tool, request.body),
    );
    app.delete(
      path,
      {
        config: { permission: 'settings:manage' },
        schema: { tags, summary: `Disconnect ${provider.label}`, description: 'Deletes the key and every customer\'s sync state. 404 when not connected.', response: { 200: integrationSchema, ...errorResponses, 404: errorSchema } },
      },
      async (request) => disconnectTool(ctx, authOf(request).orgId, tool),
    );
    app.post(
      `${path}/test`,
      {
        config: { permission: 'settings:manage' },
        schema: {
          tags,
          summary: `Test the ${provider.label} connection with the stored key`,
          description: 'Answers 200 whatever the outcome (`ok`, and the message); a failure becomes the last error.',
          response: { 200: z.object({ ok: z.boolean(), message: z.string(), integration: integrationSchema }), ...errorResponses, 404: errorSchema },
        },
      },
      async (request) => testTool(ctx, authOf(request).orgId, tool),
    );
  }

  app.get(
    '/api/v1/customers/:id/marketing-sync',
    {
      config: { permission: 'customers:read' },
      schema: { tags: ['customers'], summary: "The customer's sync state in each connected marketing tool, with the consent read back", params: idParam, response: { 200: customerSyncSchema, ...errorResponses, 404: errorSchema } },
    },
    async (request) => customerSyncStatus(ctx, authOf(request).orgId, request.params.id),
  );
  app.post(
    '/api/v1/customers/:id/marketing-sync',
    {
      config: { permission: 'customers:write' },
      schema: {
        tags: ['customers'],
        summary: 'Resync now: send the customer to every enabled marketing tool again',
        description: 'The sync runs in the background within seconds; an anonymized customer is never sent again. 422 when no tool is connected.',
        params: idParam,
        response: { 200: customerSyncSchema, ...errorResponses, 404: errorSchema },
      },
    },
    async (request) => resyncCustomer(ctx, authOf(request).orgId, request.params.id),
  );
}
