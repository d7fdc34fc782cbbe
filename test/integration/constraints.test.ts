import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { AppError } from '../../src/errors.js';
import { createOrganization } from '../../src/modules/orgs/orgs.service.js';
import { createHarness, createOrgFixture, ENGINE, unique, type Client, type Harness, type OrgFixture } from '../helpers/harness.js';
import { adjust, createCustomer, order } from '../helpers/factories.js';

/**
 * Every CHECK constraint of the schema is either reachable by a request — and then that
 * request, which would violate it, is refused by validation with a 4xx and changes
 * nothing — or is written only by Patron itself (listed below with the reason). A new
 * CHECK constraint without an entry here fails the first test.
 */

let h: Harness;
let a: OrgFixture;
let fx: { customerId: string; guestId: string; friendId: string; orderId: string; variableRewardId: string; userId: string; referralCode: string };

beforeAll(async () => {
  h = await createHarness();
  a = await createOrgFixture(h);
  const c = await createCustomer(a.api, { accountState: 'registered' });
  await adjust(a.api, c.id, 'add', 500);
  const o = await order(a.api, c.id, '10.00');
  expect(o.statusCode, o.body).toBe(201);
  const reward = await a.api.post('/api/v1/rewards', { name: 'Variable', type: 'variable', pointsCost: 100, value: { amount: '1.00', currency: 'USD' }, maxPoints: 1000 });
  expect(reward.statusCode, reward.body).toBe(201);
  const me = await a.admin.get('/api/v1/me');
  const link = await a.api.get(`/api/v1/customers/${c.id}/referral`);
  expect(link.statusCode, link.body).toBe(200);
  fx = {
    customerId: c.id,
    guestId: (await createCustomer(a.api, { accountState: 'guest' })).id,
    friendId: (await createCustomer(a.api, { accountState: 'registered' })).id,
    orderId: (o.json() as { id: string }).id,
    variableRewardId: (reward.json() as { id: string }).id,
    userId: (me.json() as { user: { id: string } }).user.id,
    referralCode: (link.json() as { code: string }).code,
  };
});
afterAll(async () => h.close());

type Send = (api: Client, admin: Client) => Promise<LightMyRequestResponse>;
interface RequestCase {
  /** Tables that must be unchanged afterwards. */
  tables: string[];
  /** Requests that would violate the constraint without validation in front of it. */
  sends: Send[];
  /** The same request with an acceptable value: proves the refusals are about that value. */
  ok: Send;
}

function multipart(c: Client, fields: Record<string, string>, csv: string) {
  const boundary = '----patron-constraints';
  let body = '';
  for (const [k, v] of Object.entries(fields)) body += `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  body += `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n`;
  body += `--${boundary}--\r\n`;
  return c.request('POST', '/api/v1/imports', Buffer.from(body, 'utf8'), { 'content-type': `multipart/form-data; boundary=${boundary}` });
}

const usd = (amount: string) => ({ amount, currency: 'USD' });
const reward = (extra: Record<string, unknown>) => (api: Client) => api.post('/api/v1/rewards', { name: 'R', type: 'fixed_amount', pointsCost: 100, value: usd('5.00'), ...extra });
const rule = (extra: Record<string, unknown>) => (api: Client) => api.post('/api/v1/earning-rules', { kind: 'custom_action', key: unique('k').replace(/-/g, '_'), name: 'Rule', points: 10, ...extra });
let thresholds = 100;
const tier = (extra: Record<string, unknown>) => (api: Client) => api.post('/api/v1/tiers', { name: unique('Tier'), threshold: (thresholds += 100), ...extra });
const tierSettings = (extra: Record<string, unknown>) => (api: Client) => api.put('/api/v1/tiers/settings', { basis: 'points_earned', window: 'lifetime', graceDays: 0, ...extra });
const program = (body: Record<string, unknown>) => (api: Client) => api.patch('/api/v1/program', body);
const newOrder = (extra: Record<string, unknown>) => (api: Client) => api.post('/api/v1/orders', { externalId: unique('o'), customerId: fx.customerId, total: usd('10.00'), ...extra });
const segment = (extra: Record<string, unknown>) => (api: Client) => api.post('/api/v1/segments', { name: 'Segment', filter: {}, ...extra });

const REQUESTS: Record<string, RequestCase> = {
  customers_account_state_check: { tables: ['customers'], ok: (api) => api.post('/api/v1/customers', { externalId: unique('c'), accountState: 'guest' }), sends: [(api) => api.post('/api/v1/customers', { externalId: unique('c'), accountState: 'vip' })] },
  customers_membership_type_check: { tables: ['customers'], ok: (api) => api.post(`/api/v1/customers/${fx.guestId}/membership`, { type: 'member' }), sends: [(api) => api.post(`/api/v1/customers/${fx.customerId}/membership`, { type: 'vip' })] },
  coupons_points_cost_check: {
    tables: ['coupons', 'points_entries'], ok: (api) => api.post(`/api/v1/customers/${fx.customerId}/redemptions`, { rewardId: fx.variableRewardId, points: 100 }),
    sends: [(api) => api.post(`/api/v1/customers/${fx.customerId}/redemptions`, { rewardId: fx.variableRewardId, points: -100 })],
  },
  earning_rules_key_check: { tables: ['earning_rules'], ok: rule({ key: 'k'.repeat(64) }), sends: [rule({ key: 'Not A Key' }), rule({ key: 'k'.repeat(65) })] },
  earning_rules_kind_check: { tables: ['earning_rules'], ok: rule({ kind: 'signup', key: undefined }), sends: [rule({ kind: 'purchase' })] },
  earning_rules_name_check: { tables: ['earning_rules'], ok: rule({ name: 'n'.repeat(200) }), sends: [rule({ name: '' }), rule({ name: '   ' }), rule({ name: 'n'.repeat(201) })] },
  earning_rules_per_customer_limit_check: { tables: ['earning_rules'], ok: rule({ perCustomerLimit: 1 }), sends: [rule({ perCustomerLimit: 0 }), rule({ perCustomerLimit: -1 })] },
  earning_rules_points_check: { tables: ['earning_rules'], ok: rule({ points: 10_000_000 }), sends: [rule({ points: -1 }), rule({ points: 10_000_001 })] },
  imports_kind_check: { tables: ['imports'], ok: (api) => multipart(api, { kind: 'customers', dryRun: 'false' }, 'externalId\nimported-1\n'), sends: [(api) => multipart(api, { kind: 'orders', dryRun: 'false' }, 'externalId\nx\n')] },
  invitations_role_check: { tables: ['invitations'], ok: (_api, admin) => admin.post('/api/v1/invitations', { email: 'new-person@example.com', role: 'staff' }), sends: [(_api, admin) => admin.post('/api/v1/invitations', { email: 'new-person@example.com', role: 'owner' })] },
  order_refunds_amount_minor_check: {
    tables: ['order_refunds', 'orders'], ok: (api) => api.post(`/api/v1/orders/${fx.orderId}/refunds`, { amount: usd('1.00') }),
    sends: [(api) => api.post(`/api/v1/orders/${fx.orderId}/refunds`, { amount: usd('0.00') }), (api) => api.post(`/api/v1/orders/${fx.orderId}/refunds`, { amount: usd('-1.00') })],
  },
  orders_check: { tables: ['order_refunds', 'orders'], ok: (api) => api.post(`/api/v1/orders/${fx.orderId}/refunds`, { amount: usd('9.00') }), sends: [(api) => api.post(`/api/v1/orders/${fx.orderId}/refunds`, { amount: usd('10.01') })] },
  orders_eligible_minor_check: { tables: ['orders'], ok: newOrder({ eligibleAmount: usd('0.00') }), sends: [newOrder({ eligibleAmount: usd('-1.00') })] },
  orders_status_check: { tables: ['orders'], ok: newOrder({ status: 'fulfilled' }), sends: [newOrder({ status: 'shipped' })] },
  orders_total_minor_check: { tables: ['orders'], ok: newOrder({ total: usd('0.00') }), sends: [newOrder({ total: usd('-10.00') })] },
  org_members_role_check: { tables: ['org_members'], ok: (_api, admin) => admin.patch(`/api/v1/users/${fx.userId}`, { role: 'admin' }), sends: [(_api, admin) => admin.patch(`/api/v1/users/${fx.userId}`, { role: 'owner' })] },
  organizations_name_check: {
    tables: ['organizations'], ok: (api) => api.patch('/api/v1/organization', { name: 'n'.repeat(200) }),
    sends: [(api) => api.patch('/api/v1/organization', { name: '' }), (api) => api.patch('/api/v1/organization', { name: '   ' }), (api) => api.patch('/api/v1/organization', { name: 'n'.repeat(201) })],
  },
  program_settings_award_on_check: { tables: ['program_settings'], ok: program({ awardOn: 'fulfilled' }), sends: [program({ awardOn: 'shipped' })] },
  program_settings_check: { tables: ['program_settings'], ok: program({ expiryPolicy: 'inactivity', expiryDays: 365 }), sends: [program({ expiryPolicy: 'inactivity', expiryDays: null }), program({ expiryPolicy: 'days_after_earning' })] },
  program_settings_clawback_policy_check: { tables: ['program_settings'], ok: program({ clawbackPolicy: 'allow_negative' }), sends: [program({ clawbackPolicy: 'never' })] },
  program_settings_earn_rate_check: { tables: ['program_settings'], ok: program({ earnRate: '0' }), sends: [program({ earnRate: '-1' })] },
  program_settings_expiry_days_check: {
    tables: ['program_settings'], ok: program({ expiryPolicy: 'days_after_earning', expiryDays: 3650 }),
    sends: [program({ expiryPolicy: 'days_after_earning', expiryDays: 0 }), program({ expiryPolicy: 'days_after_earning', expiryDays: 3651 })],
  },
  program_settings_expiry_policy_check: { tables: ['program_settings'], ok: program({ expiryPolicy: 'none' }), sends: [program({ expiryPolicy: 'forever' })] },
  program_settings_membership_mode_check: { tables: ['program_settings'], ok: program({ membershipMode: 'manual' }), sends: [program({ membershipMode: 'invite_only' })] },
  program_settings_pending_days_check: { tables: ['program_settings'], ok: program({ pendingDays: 365 }), sends: [program({ pendingDays: -1 }), program({ pendingDays: 366 })] },
  program_settings_reminder_days_check: { tables: ['program_settings'], ok: program({ reminderDays: 365 }), sends: [program({ reminderDays: 0 }), program({ reminderDays: 366 })] },
  program_settings_rounding_check: { tables: ['program_settings'], ok: program({ rounding: 'nearest' }), sends: [program({ rounding: 'bankers' })] },
  referrals_check: { tables: ['referrals'], ok: (api) => api.post('/api/v1/referrals', { code: fx.referralCode, friendCustomerId: fx.friendId }), sends: [(api) => api.post('/api/v1/referrals', { code: fx.referralCode, friendCustomerId: fx.customerId })] },
  rewards_code_prefix_check: { tables: ['rewards'], ok: reward({ codePrefix: 'A'.repeat(16) }), sends: [reward({ codePrefix: 'BAD-PREFIX' }), reward({ codePrefix: '' }), reward({ codePrefix: 'A'.repeat(17) })] },
  rewards_coupon_validity_days_check: { tables: ['rewards'], ok: reward({ couponValidityDays: 3650 }), sends: [reward({ couponValidityDays: 0 }), reward({ couponValidityDays: 3651 })] },
  rewards_max_points_check: { tables: ['rewards'], ok: reward({ type: 'variable', value: usd('1.00'), pointsCost: 1, maxPoints: 1 }), sends: [reward({ type: 'variable', value: usd('1.00'), pointsCost: 1, maxPoints: 0 })] },
  rewards_min_order_minor_check: { tables: ['rewards'], ok: reward({ minimumOrder: usd('0.00') }), sends: [reward({ minimumOrder: usd('-1.00') })] },
  rewards_name_check: { tables: ['rewards'], ok: reward({ name: 'n'.repeat(200) }), sends: [reward({ name: '' }), reward({ name: '  ' }), reward({ name: 'n'.repeat(201) })] },
  rewards_points_cost_check: { tables: ['rewards'], ok: reward({ pointsCost: 10_000_000 }), sends: [reward({ pointsCost: 0 }), reward({ pointsCost: 10_000_001 })] },
  rewards_product_ref_check: {
    tables: ['rewards'], ok: reward({ type: 'free_product', value: null, productRef: 'p'.repeat(200) }),
    sends: [reward({ type: 'free_product', value: null, productRef: '' }), reward({ type: 'free_product', value: null, productRef: 'p'.repeat(201) })],
  },
  rewards_type_check: { tables: ['rewards'], ok: reward({ type: 'free_shipping', value: null }), sends: [reward({ type: 'cash' })] },
  rewards_value_minor_check: { tables: ['rewards'], ok: reward({ value: usd('0.01') }), sends: [reward({ value: usd('0') }), reward({ value: usd('0.00') }), reward({ value: usd('0.001') })] },
  rewards_value_percent_check: {
    tables: ['rewards'], ok: reward({ type: 'percentage', value: null, percentOff: '100' }),
    sends: [reward({ type: 'percentage', value: null, percentOff: '0' }), reward({ type: 'percentage', value: null, percentOff: '100.01' }), reward({ type: 'percentage', value: null, percentOff: '999' })],
  },
  segments_description_check: { tables: ['segments'], ok: segment({ description: 'd'.repeat(500) }), sends: [segment({ description: 'd'.repeat(501) })] },
  segments_name_check: { tables: ['segments'], ok: segment({ name: 'n'.repeat(100) }), sends: [segment({ name: '' }), segment({ name: '  ' }), segment({ name: 'n'.repeat(101) })] },
  tier_settings_basis_check: { tables: ['tier_settings'], ok: tierSettings({ basis: 'orders_count' }), sends: [tierSettings({ basis: 'visits' })] },
  tier_settings_grace_days_check: { tables: ['tier_settings'], ok: tierSettings({ graceDays: 365 }), sends: [tierSettings({ graceDays: -1 }), tierSettings({ graceDays: 366 })] },
  tier_settings_qualification_window_check: { tables: ['tier_settings'], ok: tierSettings({ window: 'rolling_12_months' }), sends: [tierSettings({ window: 'weekly' })] },
  tiers_birthday_points_check: { tables: ['tiers'], ok: tier({ birthdayPoints: 10_000_000 }), sends: [tier({ birthdayPoints: -1 }), tier({ birthdayPoints: 10_000_001 })] },
  tiers_earn_multiplier_check: { tables: ['tiers'], ok: tier({ earnMultiplier: '0.0001' }), sends: [tier({ earnMultiplier: '0' }), tier({ earnMultiplier: '0.0000' }), tier({ earnMultiplier: '100.5' })] },
  tiers_entry_points_check: { tables: ['tiers'], ok: tier({ entryPoints: 10_000_000 }), sends: [tier({ entryPoints: -1 }), tier({ entryPoints: 10_000_001 })] },
  tiers_name_check: { tables: ['tiers'], ok: tier({ name: `${unique('t')}${'n'.repeat(80)}` }), sends: [tier({ name: '' }), tier({ name: '  ' }), tier({ name: 'n'.repeat(101) })] },
  tiers_threshold_check: { tables: ['tiers'], ok: tier({ threshold: 0 }), sends: [tier({ threshold: -1 })] },
};

/** Reachable only through the operator CLI, which goes through these service functions. */
const OPERATOR: Record<string, { tables: string[]; calls: (() => Promise<unknown>)[] }> = {
  organizations_slug_check: {
    tables: ['organizations'],
    calls: [() => createOrganization(h.ctx, { slug: 'Bad Slug', name: 'X' }), () => createOrganization(h.ctx, { slug: 'a', name: 'X' })],
  },
};

/** Written only by Patron itself from its own values; no input reaches these columns. */
const SYSTEM_ONLY: Record<string, string> = {
  activity_events_actor_type_check: 'the actor type comes from how the caller authenticated',
  bulk_outcomes_status_check: 'written by the bulk job: ok or refused',
  coupons_issued_via_check: 'set by the route that issues the coupon (redemption or gift)',
  coupons_status_check: 'changed only by the coupon lifecycle (use, revoke, expiry)',
  coupons_store_state_check: "written by the store integration that creates and deactivates the coupon's discount code",
  idempotency_keys_status_check: 'written by the Idempotency-Key hook',
  imports_status_check: 'written by the import job',
  jobs_status_check: 'written by the job queue and worker',
  orders_check1: 'points reversed are computed as floor(earned x refunded / total) - already reversed, never above earned',
  orders_eligible_refunded_check: 'refunds take at most the eligible amount left (an explicit eligibleAmount above it is refused with 409)',
  orders_refunded_minor_check: 'only ever increased by refunds, which must be positive (order_refunds_amount_minor_check)',
  points_entries_check: 'entries are built by the ledger from one signed points value',
  points_entries_kind_check: 'the kind is chosen by the ledger operation',
  points_lots_check: 'lots are consumed by core/lots.ts, which never takes more than a lot holds except as a debt lot',
  points_lots_status_check: 'changed only by the ledger (activation, cancellation)',
  referral_links_status_check: 'changed only by the disable and activate routes',
  referrals_status_check: 'pending until the first order completes it',
  shopify_connections_customer_accounts_check: "read from the store's Admin API answer on connect (classic or new)",
  shopify_connections_status_check: 'changed only by connect, install, app/uninstalled and disconnect',
  shopify_webhooks_status_check: 'written by the webhook route and its processing job',
  outbound_deliveries_status_check: 'written only by the event dispatcher (pending, delivered, dead)',
  marketing_connections_tool_check: 'the tool comes from the route path (one route per tool) or the CLI, which refuses another name',
  marketing_sync_tool_check: 'written by the marketing sync for a connected tool',
  marketing_events_tool_check: 'written by the marketing sync for a connected tool',
  marketing_sync_state_check: 'written only by the marketing sync (pending, synced, failed, skipped)',
  marketing_sync_consent_check: "mapped from the tool's answer to one of three values",
  marketing_events_state_check: 'written only by the marketing sync (pending, sent, failed, dropped)',
  webhook_deliveries_kind_check: 'set by the webhook fan-out (event) or the send-test route (test)',
  webhook_deliveries_status_check: 'written only by the webhook sender (pending, delivered, failed)',
  webhook_attempts_outcome_check: 'written only by the webhook sender from the answer it got',
  wallet_campaigns_status_check: 'written only by the campaign lifecycle (scheduled, sending, sent, cancelled)',
  wallet_pushes_status_check: 'written only by the push sender (created, sent, failed, skipped)',
  wallet_interactions_kind_check: 'the kind comes from the route path (scan or tap)',
};

async function checkConstraints(): Promise<{ name: string; table: string; def: string }[]> {
  const r = await sql<{ name: string; table: string; def: string }>`
    select conname as name, conrelid::regclass::text as table, pg_get_constraintdef(oid) as def
    from pg_constraint
    where contype = 'c' and connamespace = 'public'::regnamespace
    order by 1`.execute(h.ctx.db);
  return r.rows;
}

async function fingerprint(tables: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const t of tables) {
    const r = await sql<{ f: string }>`select count(*)::text || ':' || coalesce(md5(string_agg(x::text, '|' order by x::text)), '') as f from ${sql.table(t)} x`.execute(h.ctx.db);
    out.push(`${t} ${r.rows[0]!.f}`);
  }
  return out;
}

describe(`CHECK constraints on ${ENGINE}`, () => {
  it('every CHECK constraint has a refused request, an operator check or a reason it is system-only', async () => {
    const constraints = await checkConstraints();
    expect(constraints.length).toBeGreaterThan(50);
    const known = new Set([...Object.keys(REQUESTS), ...Object.keys(OPERATOR), ...Object.keys(SYSTEM_ONLY)]);
    const missing = constraints.filter((c) => !known.has(c.name)).map((c) => `${c.name} on ${c.table}: ${c.def}`);
    expect(missing, 'add a request that would violate each of these (or say why no input reaches it)').toEqual([]);
    const names = new Set(constraints.map((c) => c.name));
    expect([...known].filter((k) => !names.has(k)), 'entries for constraints that no longer exist').toEqual([]);
  });

  it('each reachable constraint is refused with 400/409/422 by validation, and nothing changes', async () => {
    const problems: string[] = [];
    for (const [name, c] of Object.entries(REQUESTS)) {
      for (const [i, send] of c.sends.entries()) {
        const before = await fingerprint(c.tables);
        const res = await send(a.api, a.admin);
        const after = await fingerprint(c.tables);
        const body = res.body.slice(0, 300);
        if (![400, 409, 422].includes(res.statusCode)) problems.push(`${name} #${i}: ${res.statusCode} ${body}`);
        else if (after.join() !== before.join()) problems.push(`${name} #${i}: refused (${res.statusCode}) but changed ${c.tables.join(', ')}`);
      }
    }
    expect(problems).toEqual([]);
    // Controls: the same requests with acceptable values go through.
    for (const [name, c] of Object.entries(REQUESTS)) {
      const res = await c.ok(a.api, a.admin);
      if (res.statusCode < 200 || res.statusCode > 299) problems.push(`${name} (acceptable value): ${res.statusCode} ${res.body.slice(0, 300)}`);
    }
    expect(problems).toEqual([]);
  });

  it('the operator-only constraints are checked before the database', async () => {
    for (const [name, c] of Object.entries(OPERATOR)) {
      for (const call of c.calls) {
        const before = await fingerprint(c.tables);
        const err = await call().then(
          () => null,
          (e: unknown) => e,
        );
        expect(err, name).toBeInstanceOf(AppError);
        expect((err as AppError).status, name).toBe(400);
        expect(await fingerprint(c.tables)).toEqual(before);
      }
    }
  });
});
