import type { AppContext } from '../../context.js';
import type { Executor } from '../../db/tx.js';
import type { ProfileSections } from '../../events/types.js';
import { checkOutboundTarget, OutboundError } from '../../core/outbound-http.js';
import { withTx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { enqueue, getJob } from '../../jobs/queue.js';
import { ToolError } from './marketing.http.js';
import { skipReason } from './marketing.profile.js';
import { keySealer, PROVIDERS, providerOf, targetOf } from './marketing.providers.js';
import * as repo from './marketing.repo.js';
import { FIRST_SYNC_JOB, scheduleSync } from './marketing.sync.js';
import type { MarketingTool } from './marketing.tables.js';

export async function toIntegrationView(ctx: AppContext, orgId: string, tool: MarketingTool, row: repo.ConnectionRow | undefined) {
  const p = providerOf(tool);
  const base = { tool, label: p.label, defaultBaseUrl: p.defaultBaseUrl, keyHelp: p.keyHelp };
  if (!row) {
    return {
      ...base,
      status: 'not_connected' as const,
      enabled: false,
      baseUrl: null,
      baseUrlSetByOperator: false,
      keyHint: null,
      lastError: null,
      lastErrorAt: null,
      lastSuccessAt: null,
      connectedAt: null,
      counts: { synced: 0, pending: 0, failed: 0, skipped: 0 },
      firstSync: null,
    };
  }
  const job = row.first_sync_job_id ? await getJob(ctx.db, orgId, row.first_sync_job_id) : undefined;
  return {
    ...base,
    status: row.enabled ? ('connected' as const) : ('disabled' as const),
    enabled: row.enabled,
    baseUrl: row.base_url,
    baseUrlSetByOperator: row.base_url_operator,
    keyHint: `…${row.key_hint}`,
    lastError: row.last_error,
    lastErrorAt: row.last_error_at?.toISOString() ?? null,
    lastSuccessAt: row.last_success_at?.toISOString() ?? null,
    connectedAt: row.connected_at.toISOString(),
    counts: await repo.stateCounts(ctx.db, orgId, tool),
    firstSync: job
      ? {
          jobId: job.id,
          status: job.status,
          progress: job.progress ?? null,
          error: job.status === 'dead' ? job.last_error : null,
        }
      : null,
  };
}

export type IntegrationView = Awaited<ReturnType<typeof toIntegrationView>>;

export async function getIntegration(ctx: AppContext, orgId: string, tool: MarketingTool): Promise<IntegrationView> {
  return toIntegrationView(ctx, orgId, tool, await repo.findConnection(ctx.db, orgId, tool));
}

export interface ConnectInput {
  apiKey?: string | undefined;
  enabled?: boolean | undefined;
  /** null: the tool's own address. */
  baseUrl?: string | null | undefined;
}

const KEY = /^[\x21-\x7e]{8,500}$/;

/**
 * Connects a tool, or changes its key, base URL or enabled flag. A new or changed key (or
 * address) is checked with a call to the tool before anything is stored; the key is stored
 * sealed. The first connection queues the first sync of every customer. `operator`: the
 * caller is the operator (`patron marketing connect`), whose base URL may be private.
 */
export async function connectTool(ctx: AppContext, orgId: string, tool: MarketingTool, input: ConnectInput, opts: { operator?: boolean; names?: { apiKey: string; baseUrl: string } } = {}): Promise<IntegrationView> {
  const names = opts.names ?? { apiKey: 'apiKey', baseUrl: 'baseUrl' };
  const provider = providerOf(tool);
  const sealer = keySealer(ctx);
  const existing = await repo.findConnection(ctx.db, orgId, tool);
  if (input.apiKey !== undefined && !KEY.test(input.apiKey)) throw AppError.validation(names.apiKey, `must be the ${provider.label} API key as shown by ${provider.label}, 8 to 500 characters without spaces`);
  if (!existing && input.apiKey === undefined) throw AppError.validation(names.apiKey, `is required to connect ${provider.label}: ${provider.keyHelp}`);

  let baseUrl = existing?.base_url ?? provider.defaultBaseUrl;
  let operatorUrl = existing?.base_url_operator ?? false;
  if (input.baseUrl === null) {
    baseUrl = provider.defaultBaseUrl;
    operatorUrl = false;
  } else if (input.baseUrl !== undefined) {
    try {
      const url = await checkOutboundTarget(input.baseUrl, { allowPrivate: opts.operator === true });
      if (url.protocol !== 'https:' && !opts.operator) throw new OutboundError('invalid_url', `must use https (${provider.label} is called over https)`);
    } catch (err) {
      if (err instanceof OutboundError) throw AppError.validation(names.baseUrl, err.message);
      throw err;
    }
    baseUrl = input.baseUrl.replace(/\/+$/, '');
    operatorUrl = opts.operator === true && baseUrl !== provider.defaultBaseUrl;
  }

  const apiKey = input.apiKey ?? (existing ? sealer.open(existing.api_key_sealed) : '');
  const now = ctx.clock.now();
  const changedTarget = !existing || input.apiKey !== undefined || baseUrl !== existing.base_url;
  if (changedTarget) {
    try {
      await provider.testConnection({ baseUrl, apiKey, allowPrivate: operatorUrl });
    } catch (err) {
      if (err instanceof ToolError) {
        throw new AppError('RULE_REFUSED', `${provider.label} did not accept the connection: ${err.message}`, { field: err.kind === 'auth' ? names.apiKey : names.baseUrl });
      }
      throw err;
    }
  }

  const row = await withTx(ctx.db, async (tx) => {
    const saved = await repo.upsertConnection(tx, {
      org_id: orgId,
      tool,
      api_key_sealed: input.apiKey !== undefined || !existing ? sealer.seal(apiKey) : existing.api_key_sealed,
      key_hint: apiKey.slice(-4),
      base_url: baseUrl,
      base_url_operator: operatorUrl,
      enabled: input.enabled ?? existing?.enabled ?? true,
      last_error: changedTarget ? null : (existing?.last_error ?? null),
      last_error_at: changedTarget ? null : (existing?.last_error_at ?? null),
      last_success_at: changedTarget ? now : (existing?.last_success_at ?? null),
      first_sync_job_id: existing?.first_sync_job_id ?? null,
      connected_at: existing?.connected_at ?? now,
      updated_at: now,
    });
    if (saved.enabled && !saved.first_sync_job_id) {
      const jobId = await enqueue(tx, { orgId, type: FIRST_SYNC_JOB, payload: { tool }, runAt: now, maxAttempts: 5, dedupeKey: `${FIRST_SYNC_JOB}:${tool}:${saved.connected_at.toISOString()}` });
      if (jobId) return (await repo.updateConnection(tx, orgId, tool, { first_sync_job_id: jobId }))!;
    }
    if (saved.enabled && existing && !existing.enabled) {
      // Enabled again: changes made while disabled were not recorded; the periodic check finds edits, a resync does the rest.
      await scheduleSync(tx, orgId, tool, now);
    }
    return saved;
  });
  return toIntegrationView(ctx, orgId, tool, row);
}

/** Disconnects a tool: the key, every customer's sync state and the queued events are deleted. */
export async function disconnectTool(ctx: AppContext, orgId: string, tool: MarketingTool): Promise<IntegrationView> {
  const deleted = await repo.deleteConnection(ctx.db, orgId, tool);
  if (!deleted) throw new AppError('NOT_FOUND', `${providerOf(tool).label} is not connected to this organization`, {});
  return getIntegration(ctx, orgId, tool);
}

/** Calls the tool with the stored key and records the outcome as the connection's last error or success. */
export async function testTool(ctx: AppContext, orgId: string, tool: MarketingTool): Promise<{ ok: boolean; message: string; integration: IntegrationView }> {
  const provider = providerOf(tool);
  const conn = await repo.findConnection(ctx.db, orgId, tool);
  if (!conn) throw new AppError('NOT_FOUND', `${provider.label} is not connected to this organization; connect it with an API key first`, {});
  const now = ctx.clock.now();
  let ok = true;
  let message: string;
  try {
    message = await provider.testConnection(targetOf(ctx, conn));
    await repo.updateConnection(ctx.db, orgId, tool, { last_success_at: now });
  } catch (err) {
    if (!(err instanceof ToolError)) throw err;
    ok = false;
    message = err.message;
    await repo.updateConnection(ctx.db, orgId, tool, { last_error: message, last_error_at: now });
  }
  return { ok, message, integration: await getIntegration(ctx, orgId, tool) };
}

/** A customer's state in each connected tool. */
export async function customerSyncStatus(ctx: AppContext, orgId: string, customerId: string) {
  const customer = await repo.findCustomer(ctx.db, orgId, customerId);
  if (!customer) throw AppError.notFound('Customer', customerId);
  return { customerId, tools: await toolStates(ctx.db, customer) };
}

async function toolStates(db: Executor, customer: repo.CustomerRecord) {
  const orgId = customer.org_id;
  const customerId = customer.id;
  const connections = await repo.listConnections(db, orgId);
  if (connections.length === 0) return [];
  const rows = new Map((await repo.syncRowsOfCustomer(db, orgId, customerId)).map((r) => [r.tool, r]));
  return PROVIDERS.filter((p) => connections.some((c) => c.tool === p.tool)).map((p) => {
    const conn = connections.find((c) => c.tool === p.tool)!;
    const r = rows.get(p.tool);
    const waiting = skipReason(customer) === null ? 'Not synced yet' : skipReason(customer);
    return {
      tool: p.tool,
      label: p.label,
      enabled: conn.enabled,
      state: r?.state ?? ('pending' as const),
      reason: r ? r.reason : waiting,
      lastSyncedAt: r?.last_synced_at?.toISOString() ?? null,
      consent: r?.consent ?? null,
      consentReadAt: r?.consent_read_at?.toISOString() ?? null,
      attempts: r?.attempts ?? 0,
      nextAttemptAt: r?.state === 'pending' ? (r.next_attempt_at?.toISOString() ?? null) : null,
    };
  });
}

/** The profile's marketing section: the same states, in the customer profile API. */
export const marketingProfile: ProfileSections = {
  marketingSync: async (_ctx, db, row) =>
    (await toolStates(db, row)).map((t) => ({ tool: t.tool, label: t.label, state: t.state, reason: t.reason, lastSyncedAt: t.lastSyncedAt, consent: t.consent })),
};

export type CustomerSyncStatus = Awaited<ReturnType<typeof customerSyncStatus>>;

/** "Resync now": the customer is synced again at once with every enabled tool (never an anonymized one). */
export async function resyncCustomer(ctx: AppContext, orgId: string, customerId: string): Promise<CustomerSyncStatus> {
  const customer = await repo.findCustomer(ctx.db, orgId, customerId);
  if (!customer) throw AppError.notFound('Customer', customerId);
  const connections = (await repo.listConnections(ctx.db, orgId)).filter((c) => c.enabled);
  if (connections.length === 0) throw new AppError('RULE_REFUSED', 'No marketing tool is connected and enabled; connect Klaviyo or Omnisend in Settings first', {});
  const now = ctx.clock.now();
  await withTx(ctx.db, async (tx) => {
    for (const c of connections) {
      await repo.markDirty(tx, { orgId, tool: c.tool, customerId }, now);
      await scheduleSync(tx, orgId, c.tool, now);
    }
  });
  return customerSyncStatus(ctx, orgId, customerId);
}
