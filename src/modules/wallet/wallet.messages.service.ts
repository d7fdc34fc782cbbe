import type { Actor, AppContext } from '../../context.js';
import { SYSTEM_ACTOR } from '../../context.js';
import { newId } from '../../db/ids.js';
import { keysetPage } from '../../db/paging.js';
import { withTx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { enqueue } from '../../jobs/queue.js';
import { recordActivity } from '../activity/index.js';
import { displayName, lockForChange } from '../customers/index.js';
import { ensurePass, passContent, webAppUrl } from './wallet.core.service.js';
import { isAddress, mailConfigured, NOT_CONFIGURED, sendMail, senderFor } from './wallet.messages.mail.js';
import * as repo from './wallet.messages.repo.js';
import type { WalletSettingsPatch } from './wallet.messages.schemas.js';
import type { PassPlatform } from './wallet.platforms.js';
import { PLATFORMS } from './wallet.registry.js';
import type { PushPlatformOutcome } from './wallet.tables.js';

export const PUSH_JOB = 'wallet.push.send';

/** The wallet platforms the organization configured, in PLATFORMS order. */
export async function configuredPlatforms(ctx: AppContext, orgId: string): Promise<PassPlatform[]> {
  const out: PassPlatform[] = [];
  for (const p of PLATFORMS) if (await p.configured(ctx, orgId)) out.push(p);
  return out;
}

const NO_PLATFORM = 'No wallet platform is configured for this organization: set up Apple Wallet or Google Wallet first (see docs/wallet.md)';

async function requirePlatforms(ctx: AppContext, orgId: string): Promise<PassPlatform[]> {
  const platforms = await configuredPlatforms(ctx, orgId);
  if (platforms.length === 0) throw new AppError('CONFLICT', NO_PLATFORM, { reason: 'NO_WALLET_PLATFORM' });
  return platforms;
}

/** A guest, a customer who left or an anonymized one has no pass to message. */
function requireMember(c: { id: string; membership_type: string; anonymized_at: Date | null }): void {
  if (c.anonymized_at) throw new AppError('CUSTOMER_ANONYMIZED', 'This customer was anonymized; nothing can be sent to them', { customerId: c.id });
  if (c.membership_type !== 'member') {
    throw new AppError(
      'MEMBERSHIP_RESTRICTED',
      `Wallet passes are for members; this customer is ${c.membership_type === 'guest' ? 'a guest' : 'a customer who left the program'}. Make them a member first`,
      { customerId: c.id, membershipType: c.membership_type },
    );
  }
}

// ---------------------------------------------------------------- settings

export async function getWalletSettings(ctx: AppContext, orgId: string) {
  const row = await repo.findSettings(ctx.db, orgId);
  return settingsView(ctx, row);
}

function settingsView(ctx: AppContext, row: repo.SettingsRow | undefined) {
  const mailFrom = row?.mail_from ?? '';
  return {
    terms: row?.terms ?? '',
    mailFrom,
    backgroundColor: row?.background_color ?? '#1f2a44',
    foregroundColor: row?.foreground_color ?? '#ffffff',
    email: { configured: mailConfigured(ctx), sender: mailFrom || ctx.config.smtpFrom || null },
    updatedAt: row?.updated_at.toISOString() ?? null,
  };
}

export async function updateWalletSettings(ctx: AppContext, orgId: string, patch: WalletSettingsPatch) {
  const row = await repo.upsertSettings(
    ctx.db,
    orgId,
    {
      ...(patch.terms !== undefined ? { terms: patch.terms } : {}),
      ...(patch.mailFrom !== undefined ? { mail_from: patch.mailFrom } : {}),
      ...(patch.backgroundColor !== undefined ? { background_color: patch.backgroundColor } : {}),
      ...(patch.foregroundColor !== undefined ? { foreground_color: patch.foregroundColor } : {}),
    },
    ctx.clock.now(),
  );
  return settingsView(ctx, row);
}

// ---------------------------------------------------------------- send loyalty card

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * E-mails a member their pass: the Apple Wallet download and the Google Wallet save link (for
 * the platforms the organization configured) and their pass web app. Refused, changing
 * nothing, without e-mail on the server, an address, a configured platform or a public URL.
 */
export async function sendLoyaltyCard(ctx: AppContext, orgId: string, customerId: string, actor: Actor) {
  const customer = await repo.messageCustomer(ctx.db, orgId, customerId);
  if (!customer) throw AppError.notFound('Customer', customerId);
  requireMember(customer);
  if (!customer.email || !isAddress(customer.email)) {
    throw new AppError('CONFLICT', 'This customer has no e-mail address to send the card to: add one to their profile first', { field: 'email', customerId });
  }
  const platforms = await requirePlatforms(ctx, orgId);
  if (!mailConfigured(ctx)) throw new AppError('CONFLICT', NOT_CONFIGURED, { setting: 'PATRON_SMTP_URL' });
  const base = ctx.config.publicUrl?.replace(/\/+$/, '');
  if (!base) {
    throw new AppError('CONFLICT', "PATRON_PUBLIC_URL is not set: the e-mail's links must point at this server's public address (https://loyalty.example.com); set it and restart Patron", {
      setting: 'PATRON_PUBLIC_URL',
    });
  }
  const settings = await repo.findSettings(ctx.db, orgId);
  const from = senderFor(ctx, settings?.mail_from ?? '');
  const identity = await ensurePass(ctx, orgId, customerId);
  const names = platforms.map((p) => p.name);
  const links = {
    apple: names.includes('apple') ? `${base}/c/${identity.token}/apple.pkpass` : null,
    // Our address, which answers with a freshly signed "Save to Google Wallet" link (wallet.google.routes.ts).
    google: names.includes('google') ? `${base}/c/${identity.token}/google` : null,
    webApp: webAppUrl(ctx, identity.token),
  };
  const org = await repo.orgName(ctx.db, orgId);
  const name = displayName(customer);
  const lines = [
    `Hello ${customer.first_name?.trim() || name},`,
    '',
    `Here is your ${org} loyalty card. Add it to your phone's wallet: it shows your points and updates itself.`,
    '',
    ...(links.apple ? [`Add to Apple Wallet: ${links.apple}`] : []),
    ...(links.google ? [`Add to Google Wallet: ${links.google}`] : []),
    `Your card online (balance and notification settings): ${links.webApp}`,
    '',
    org,
  ];
  const button = (href: string, label: string) => `<p><a href="${escapeHtml(href)}" style="display:inline-block;padding:10px 16px;background:#1f2a44;color:#ffffff;text-decoration:none;border-radius:6px">${escapeHtml(label)}</a></p>`;
  const html = [
    `<p>Hello ${escapeHtml(customer.first_name?.trim() || name)},</p>`,
    `<p>Here is your ${escapeHtml(org)} loyalty card. Add it to your phone's wallet: it shows your points and updates itself.</p>`,
    links.apple ? button(links.apple, 'Add to Apple Wallet') : '',
    links.google ? button(links.google, 'Add to Google Wallet') : '',
    `<p><a href="${escapeHtml(links.webApp)}">Your card online</a> (balance and notification settings)</p>`,
    `<p>${escapeHtml(org)}</p>`,
  ].join('\n');
  await sendMail(ctx, { from, to: customer.email, subject: `Your ${org} loyalty card`, text: lines.join('\n'), html });
  const at = ctx.clock.now();
  await recordActivity(ctx.db, {
    orgId,
    customerId,
    type: 'wallet.card_sent',
    actor,
    summary: `Loyalty card sent to ${customer.email} (${names.map(platformLabel).join(' and ')})`,
    payload: { to: customer.email, platforms: names },
    at,
  });
  return { to: customer.email, platforms: names, links, sentAt: at.toISOString() };
}

const platformLabel = (p: string) => (p === 'apple' ? 'Apple Wallet' : p === 'google' ? 'Google Wallet' : p);

// ---------------------------------------------------------------- pushes

export function pushView(row: repo.PushRow & { campaign_name?: string | null }) {
  const out = (o: PushPlatformOutcome | undefined) => (o && o.state === 'done' ? { delivered: o.delivered ?? 0, failed: o.failed ?? 0, reason: o.reason ?? null } : undefined);
  const platforms = row.platforms ?? {};
  return {
    id: row.id,
    customerId: row.customer_id,
    campaignId: row.campaign_id,
    campaignName: row.campaign_name ?? null,
    message: row.message,
    status: row.status,
    reason: row.reason,
    platforms: { ...(out(platforms.apple) ? { apple: out(platforms.apple) } : {}), ...(out(platforms.google) ? { google: out(platforms.google) } : {}) },
    appleDevices: row.apple_devices,
    google: row.google,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}

const quote = (message: string) => (message.length > 80 ? `${message.slice(0, 77)}...` : message);

/** "Send push": a message to one member's passes, created now and sent by a job. */
export async function createPush(ctx: AppContext, orgId: string, customerId: string, message: string, actor: Actor) {
  await requirePlatforms(ctx, orgId);
  return withTx(ctx.db, async (tx) => {
    const customer = await lockForChange(tx, orgId, customerId);
    requireMember(customer);
    const at = ctx.clock.now();
    const row = (await repo.insertPush(tx, {
      org_id: orgId,
      id: newId(at.getTime()),
      customer_id: customerId,
      campaign_id: null,
      message,
      status: 'created',
      reason: null,
      apple_devices: 0,
      google: false,
      created_by: actor.name,
      created_at: at,
      finished_at: null,
    }))!;
    await recordActivity(tx, { orgId, customerId, type: 'wallet.push_created', actor, summary: `Push created: "${quote(message)}"`, payload: { pushId: row.id, message }, at });
    await enqueue(tx, { orgId, type: PUSH_JOB, payload: { pushId: row.id }, runAt: at, dedupeKey: `wallet-push:${row.id}`, maxAttempts: 8 });
    return pushView(row);
  });
}

export async function listCustomerPushes(ctx: AppContext, orgId: string, customerId: string, limit: number, before: { createdAt: Date; id: string } | null) {
  const customer = await repo.messageCustomer(ctx.db, orgId, customerId);
  if (!customer) throw AppError.notFound('Customer', customerId);
  const { page, next } = await keysetPage(
    limit,
    (n) => repo.listPushes(ctx.db, orgId, customerId, before, n),
    (last) => ({ t: last.created_at.toISOString(), id: last.id }),
  );
  return { items: page.map(pushView), next };
}

const INTERRUPTED = 'sending was interrupted; not sent again so the customer is not notified twice';

/**
 * Sends a push still `created` to every configured platform, each at most once: a
 * platform is marked `sending` before it is called and its answer recorded after, so a run
 * resumed after a crash never calls it again. Then the push is settled, once: `sent` when
 * at least one pass got it, else `failed` with the reasons (timeline and campaign counts in
 * the same transaction).
 */
export async function deliverPush(ctx: AppContext, orgId: string, pushId: string, opts: { campaignName?: string | null } = {}): Promise<void> {
  const push = await repo.findPush(ctx.db, orgId, pushId);
  if (!push || push.status !== 'created') return;
  const outcomes: Record<string, PushPlatformOutcome> = { ...(push.platforms ?? {}) };
  let refusal: string | null = null;
  let platforms: PassPlatform[] = [];
  try {
    platforms = await configuredPlatforms(ctx, orgId);
    if (platforms.length === 0) refusal = NO_PLATFORM;
    else {
      const content = await passContent(ctx, orgId, push.customer_id);
      for (const p of platforms) {
        const previous = outcomes[p.name];
        if (previous?.state === 'done') continue;
        if (previous?.state === 'sending') {
          outcomes[p.name] = { state: 'done', delivered: 0, failed: 0, reason: INTERRUPTED };
          await repo.setPushPlatform(ctx.db, orgId, pushId, p.name, outcomes[p.name]!);
          continue;
        }
        await repo.setPushPlatform(ctx.db, orgId, pushId, p.name, { state: 'sending' });
        let o: PushPlatformOutcome;
        try {
          const d = await p.sendMessage(ctx, content, push.message);
          o = { state: 'done', delivered: d.delivered, failed: d.failed, ...(d.reason ? { reason: d.reason } : {}) };
        } catch (err) {
          o = { state: 'done', delivered: 0, failed: 1, reason: (err instanceof Error ? err.message : String(err)).slice(0, 500) };
        }
        outcomes[p.name] = o;
        await repo.setPushPlatform(ctx.db, orgId, pushId, p.name, o);
      }
    }
  } catch (err) {
    // The pass cannot be made (the customer is no longer a member, was anonymized): a refusal, not a retry.
    if (!(err instanceof AppError) || err.status >= 500) throw err;
    refusal = err.message;
  }
  const delivered = Object.entries(outcomes).filter(([, o]) => o.state === 'done' && (o.delivered ?? 0) > 0);
  const status = refusal === null && delivered.length > 0 ? 'sent' : 'failed';
  const reasons = Object.entries(outcomes)
    .filter(([, o]) => o.state === 'done' && (o.delivered ?? 0) === 0)
    .map(([name, o]) => `${platformLabel(name)}: ${o.reason ?? 'not delivered'}`);
  const reason = status === 'sent' ? null : (refusal ?? (reasons.join('; ') || 'No pass received it'));
  await withTx(ctx.db, async (tx) => {
    const at = ctx.clock.now();
    const settled = await repo.settlePush(tx, orgId, pushId, {
      status,
      reason: reason?.slice(0, 1000) ?? null,
      appleDevices: outcomes.apple?.delivered ?? 0,
      google: (outcomes.google?.delivered ?? 0) > 0,
      at,
    });
    if (!settled) return;
    const campaign = push.campaign_id ? { campaignId: push.campaign_id, campaignName: opts.campaignName ?? null } : {};
    const names = delivered.map(([n]) => n);
    await recordActivity(tx, {
      orgId,
      customerId: push.customer_id,
      type: status === 'sent' ? 'wallet.push_sent' : 'wallet.push_failed',
      actor: SYSTEM_ACTOR,
      summary: status === 'sent' ? `Push sent to ${names.map(platformLabel).join(' and ')}: "${quote(push.message)}"` : `Push failed: ${reason}`,
      payload: {
        pushId,
        message: push.message,
        platforms: names,
        appleDevices: settled.apple_devices,
        google: settled.google,
        ...(reason ? { reason } : {}),
        ...campaign,
      },
      at,
    });
    if (push.campaign_id) await repo.countOnCampaign(tx, orgId, push.campaign_id, status === 'sent' ? { sent: 1 } : { failed: 1 }, at);
  });
}

export async function runPushJob(ctx: AppContext, orgId: string, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
  const pushId = typeof payload.pushId === 'string' ? payload.pushId : '';
  await deliverPush(ctx, orgId, pushId);
  const row = await repo.findPush(ctx.db, orgId, pushId);
  return { pushId, status: row?.status ?? 'missing' };
}
