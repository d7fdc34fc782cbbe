import type { Actor, AppContext } from '../../context.js';
import { SYSTEM_ACTOR } from '../../context.js';
import { newId } from '../../db/ids.js';
import { keysetPage } from '../../db/paging.js';
import { withTx, type Tx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { enqueue } from '../../jobs/queue.js';
import { recordActivity } from '../activity/index.js';
import { customerIdBatches, resolveCustomerFilter, type ResolvedCustomerFilter } from '../grid/index.js';
import { findSegment } from '../segments/index.js';
import * as repo from './wallet.messages.repo.js';
import type { CampaignBody } from './wallet.messages.schemas.js';
import { configuredPlatforms, deliverPush } from './wallet.messages.service.js';

/**
 * Push campaigns: one message to a segment's members (or every member), now or at `sendAt`.
 *
 * - Joining: a member in the audience joins when the campaign is created (a scheduled one, by
 *   a job) and again when it starts sending (members who entered the audience since): one push
 *   per customer and campaign (a unique key), `wallet.campaign_joined` and
 *   `wallet.push_created` on their timeline, `reached` counted.
 * - Sending: each joined customer's push is sent as a single push is. A customer who, by the
 *   time their push goes, left the program (guest, left, anonymized) or no longer matches
 *   the audience is skipped: `wallet.campaign_left` with the reason, `skipped` counted.
 *   Cancelling skips every push not sent yet the same way.
 * - Crash: the jobs run again; joining inserts nothing twice, sending takes only pushes still
 *   `created`, and a push never calls a platform twice (see deliverPush).
 */

export const CAMPAIGN_ENROLL_JOB = 'wallet.campaign.enroll';
export const CAMPAIGN_SEND_JOB = 'wallet.campaign.send';
export const CAMPAIGNS_DUE_JOB = 'wallet.campaigns.due';

const BATCH = 200;

export function campaignView(row: repo.CampaignRow & { segment_name?: string | null }) {
  return {
    id: row.id,
    name: row.name,
    message: row.message,
    segmentId: row.segment_id,
    segmentName: row.segment_name ?? null,
    sendAt: row.send_at.toISOString(),
    status: row.status,
    reached: row.reached,
    sent: row.sent,
    failed: row.failed,
    skipped: row.skipped,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}

const MAX_AHEAD_MS = 366 * 86_400_000;

export async function createCampaign(ctx: AppContext, orgId: string, body: CampaignBody, actor: Actor) {
  if ((await configuredPlatforms(ctx, orgId)).length === 0) {
    throw new AppError('CONFLICT', 'No wallet platform is configured for this organization: set up Apple Wallet or Google Wallet first (see docs/wallet.md)', { reason: 'NO_WALLET_PLATFORM' });
  }
  const now = ctx.clock.now();
  let audience: Record<string, unknown> | null = null;
  let segmentName: string | null = null;
  if (body.segmentId) {
    const seg = await findSegment(ctx.db, orgId, body.segmentId);
    if (!seg) throw new AppError('NOT_FOUND', `segmentId: segment ${body.segmentId} was not found`, { field: 'segmentId', id: body.segmentId });
    audience = seg.filter;
    segmentName = seg.name;
  }
  const sendAt = body.sendAt ? new Date(body.sendAt) : now;
  if (sendAt.getTime() - now.getTime() > MAX_AHEAD_MS) throw AppError.validation('sendAt', 'must be within a year from now');
  if (now.getTime() - sendAt.getTime() > 60_000) throw AppError.validation('sendAt', 'is in the past: leave it out to send now, or give a time to come');
  const now_ = sendAt.getTime() <= now.getTime();
  return withTx(ctx.db, async (tx) => {
    const row = await repo.insertCampaign(tx, {
      org_id: orgId,
      id: newId(now.getTime()),
      name: body.name,
      message: body.message,
      segment_id: body.segmentId ?? null,
      audience: audience === null ? null : JSON.stringify(audience),
      send_at: now_ ? now : sendAt,
      status: now_ ? 'sending' : 'scheduled',
      reached: 0,
      sent: 0,
      failed: 0,
      created_by: actor.name,
      created_at: now,
      updated_at: now,
      finished_at: null,
    });
    if (now_) await enqueueSend(tx, orgId, row.id, now);
    else await enqueue(tx, { orgId, type: CAMPAIGN_ENROLL_JOB, payload: { campaignId: row.id }, runAt: now, dedupeKey: `wallet-campaign-enroll:${row.id}`, maxAttempts: 8 });
    return campaignView({ ...row, segment_name: segmentName });
  });
}

function enqueueSend(tx: Tx, orgId: string, campaignId: string, now: Date) {
  return enqueue(tx, { orgId, type: CAMPAIGN_SEND_JOB, payload: { campaignId }, runAt: now, dedupeKey: `wallet-campaign-send:${campaignId}`, maxAttempts: 10 });
}

export async function listCampaigns(ctx: AppContext, orgId: string, limit: number, before: { createdAt: Date; id: string } | null) {
  const { page, next } = await keysetPage(
    limit,
    (n) => repo.listCampaigns(ctx.db, orgId, before, n),
    (last) => ({ t: last.created_at.toISOString(), id: last.id }),
  );
  return { items: page.map(campaignView), next };
}

export async function getCampaign(ctx: AppContext, orgId: string, id: string) {
  const row = await repo.findCampaign(ctx.db, orgId, id);
  if (!row) throw AppError.notFound('Campaign', id);
  return campaignView({ ...row, segment_name: await repo.segmentName(ctx.db, orgId, row.segment_id) });
}

/** Skips a joined customer's push (`wallet.campaign_left`), in the caller's transaction. */
async function skipPush(tx: Tx, ctx: AppContext, campaign: repo.CampaignRow, push: repo.PushRow, reason: string, actor: Actor): Promise<void> {
  const at = ctx.clock.now();
  const settled = await repo.settlePush(tx, campaign.org_id, push.id, { status: 'skipped', reason, appleDevices: 0, google: false, at });
  if (!settled) return;
  await recordActivity(tx, {
    orgId: campaign.org_id,
    customerId: push.customer_id,
    type: 'wallet.campaign_left',
    actor,
    summary: `Left campaign "${campaign.name}": ${reason}`,
    payload: { campaignId: campaign.id, campaignName: campaign.name, pushId: push.id, reason },
    at,
  });
  await repo.countOnCampaign(tx, campaign.org_id, campaign.id, { skipped: 1 }, at);
}

/** Stops a campaign not yet sent: what was not sent yet is skipped (campaign_left). */
export async function cancelCampaign(ctx: AppContext, orgId: string, id: string, actor: Actor) {
  return withTx(ctx.db, async (tx) => {
    const c = await repo.lockCampaign(tx, orgId, id);
    if (!c) throw AppError.notFound('Campaign', id);
    if (c.status === 'sent' || c.status === 'cancelled') {
      throw new AppError('CONFLICT', `This campaign was already ${c.status === 'sent' ? 'sent' : 'cancelled'}; only a scheduled or sending campaign can be cancelled`, { status: c.status });
    }
    const now = ctx.clock.now();
    const row = (await repo.updateCampaign(tx, orgId, id, { status: 'cancelled', finished_at: now, updated_at: now }))!;
    let after: string | null = null;
    for (;;) {
      const pending = await repo.pendingCampaignPushes(tx, orgId, id, after, BATCH);
      for (const p of pending) await skipPush(tx, ctx, row, p, 'the campaign was cancelled before it was sent', actor);
      if (pending.length < BATCH) break;
      after = pending[pending.length - 1]!.customer_id;
    }
    const fresh = (await repo.findCampaign(tx, orgId, id))!;
    return campaignView({ ...fresh, segment_name: await repo.segmentName(tx, orgId, fresh.segment_id) });
  });
}

async function audienceOf(ctx: AppContext, c: repo.CampaignRow): Promise<ResolvedCustomerFilter> {
  // A segment's filter as it was copied (`segment` itself is not kept, so a deleted segment changes nothing).
  return resolveCustomerFilter(ctx.db, c.org_id, c.audience ?? {}, ctx.clock.now());
}

/** Joins the audience's members who have not joined yet. Returns false when the campaign is over. */
async function enroll(ctx: AppContext, campaign: repo.CampaignRow): Promise<boolean> {
  const orgId = campaign.org_id;
  const audience = await audienceOf(ctx, campaign);
  for await (const ids of customerIdBatches(ctx.db, audience, BATCH)) {
    const members = await repo.membersAmong(ctx.db, orgId, ids);
    const open = await withTx(ctx.db, async (tx) => {
      const c = await repo.lockCampaign(tx, orgId, campaign.id);
      if (!c || (c.status !== 'scheduled' && c.status !== 'sending')) return false;
      let joined = 0;
      for (const customerId of ids) {
        if (!members.has(customerId)) continue;
        const at = ctx.clock.now();
        const push = await repo.insertPush(tx, {
          org_id: orgId,
          id: newId(at.getTime()),
          customer_id: customerId,
          campaign_id: c.id,
          message: c.message,
          status: 'created',
          reason: null,
          apple_devices: 0,
          google: false,
          created_by: c.created_by,
          created_at: at,
          finished_at: null,
        });
        if (!push) continue;
        joined++;
        const ref = { campaignId: c.id, campaignName: c.name, pushId: push.id };
        await recordActivity(tx, { orgId, customerId, type: 'wallet.campaign_joined', actor: SYSTEM_ACTOR, summary: `Joined campaign "${c.name}"`, payload: ref, at });
        await recordActivity(tx, { orgId, customerId, type: 'wallet.push_created', actor: SYSTEM_ACTOR, summary: `Push created for campaign "${c.name}"`, payload: { ...ref, message: c.message }, at });
      }
      if (joined > 0) await repo.countOnCampaign(tx, orgId, c.id, { reached: joined }, ctx.clock.now());
      return true;
    });
    if (!open) return false;
  }
  return true;
}

/** Sends the pushes of joined customers not sent yet, skipping those who left. */
async function sendPending(ctx: AppContext, campaignId: string, orgId: string): Promise<boolean> {
  let after: string | null = null;
  for (;;) {
    const campaign = await repo.findCampaign(ctx.db, orgId, campaignId);
    if (!campaign || campaign.status !== 'sending') return false;
    const pending = await repo.pendingCampaignPushes(ctx.db, orgId, campaignId, after, BATCH);
    if (pending.length === 0) return true;
    const ids = pending.map((p) => p.customer_id);
    const members = await repo.membersAmong(ctx.db, orgId, ids);
    const matching = await repo.matchingAmong(ctx.db, (await audienceOf(ctx, campaign)).where, ids);
    for (const p of pending) {
      const reason = !members.has(p.customer_id)
        ? 'left the program before the campaign was sent'
        : !matching.has(p.customer_id)
          ? 'no longer in the campaign\'s audience when it was sent'
          : null;
      if (reason) {
        await withTx(ctx.db, (tx) => skipPush(tx, ctx, campaign, p, reason, SYSTEM_ACTOR));
        continue;
      }
      // The campaign may have been cancelled meanwhile: its pushes are then skipped, not sent.
      const still = await repo.findCampaign(ctx.db, orgId, campaignId);
      if (!still || still.status !== 'sending') return false;
      await deliverPush(ctx, orgId, p.id, { campaignName: campaign.name });
    }
    after = ids[ids.length - 1]!;
  }
}

/** Job: join the audience of a scheduled campaign now, so staff see who it will reach. */
export async function runEnrollJob(ctx: AppContext, orgId: string, payload: Record<string, unknown>) {
  const campaign = await repo.findCampaign(ctx.db, orgId, (typeof payload.campaignId === 'string' ? payload.campaignId : ''));
  if (!campaign || campaign.status !== 'scheduled') return { skipped: true };
  await enroll(ctx, campaign);
  const after = await repo.findCampaign(ctx.db, orgId, campaign.id);
  return { reached: after?.reached ?? 0 };
}

/** Job: send a campaign (joining newcomers first); safe to run again after a crash. */
export async function runSendJob(ctx: AppContext, orgId: string, payload: Record<string, unknown>) {
  const id = (typeof payload.campaignId === 'string' ? payload.campaignId : '');
  const campaign = await repo.findCampaign(ctx.db, orgId, id);
  if (!campaign || campaign.status !== 'sending') return { status: campaign?.status ?? 'missing' };
  if (!(await enroll(ctx, campaign))) return { status: 'cancelled' };
  if (!(await sendPending(ctx, id, orgId))) return { status: 'cancelled' };
  const done = await withTx(ctx.db, async (tx) => {
    const c = await repo.lockCampaign(tx, orgId, id);
    if (!c || c.status !== 'sending') return c;
    const now = ctx.clock.now();
    return repo.updateCampaign(tx, orgId, id, { status: 'sent', finished_at: now, updated_at: now });
  });
  return done ? { status: done.status, reached: done.reached, sent: done.sent, failed: done.failed, skipped: done.skipped } : { status: 'missing' };
}

/** Periodic job: scheduled campaigns whose time came start sending. */
export async function runDueJob(ctx: AppContext, orgId: string) {
  const now = ctx.clock.now();
  let started = 0;
  for (const { id } of await repo.dueCampaigns(ctx.db, orgId, now)) {
    await withTx(ctx.db, async (tx) => {
      const c = await repo.lockCampaign(tx, orgId, id);
      if (!c || c.status !== 'scheduled') return;
      await repo.updateCampaign(tx, orgId, id, { status: 'sending', updated_at: now });
      await enqueueSend(tx, orgId, id, now);
      started++;
    });
  }
  return { started };
}
