import type { Actor, AppContext } from '../../context.js';
import { newId } from '../../db/ids.js';
import { withTx } from '../../db/tx.js';
import type { NotificationPrefs } from '../../db/types.js';
import { AppError } from '../../errors.js';
import { recordActivity } from '../activity/index.js';
import { lockForChange } from '../customers/index.js';
import { setPreferences } from '../preferences/index.js';
import * as coreRepo from './wallet.core.repo.js';
import { passByCardCode, passBySerial, passContentWithPrefs, webAppUrl, type PassRef } from './wallet.core.service.js';
import type { PassPageView } from './wallet.customer.page.js';
import * as repo from './wallet.customer.repo.js';

export interface CustomerSummary {
  id: string;
  name: string;
  membership: 'member' | 'guest' | 'left';
  balance: number;
  tier: string | null;
  rewardsAvailable: string[];
}

/** What a till shows after a scan: who the customer is and what they can spend. */
async function customerSummary(ctx: AppContext, ref: PassRef): Promise<CustomerSummary> {
  const customer = await coreRepo.passCustomer(ctx.db, ref.orgId, ref.customerId);
  if (!customer) throw AppError.notFound('Customer', ref.customerId);
  const { content } = await passContentWithPrefs(ctx, ref.orgId, ref.customerId);
  return {
    id: ref.customerId,
    name: content.memberName,
    membership: customer.membership_type,
    balance: content.balance,
    tier: content.tierName,
    rewardsAvailable: content.rewardsAvailable,
  };
}

/** "Scanned at Store 12 (till 3)", "Tapped an NFC reader with the Apple pass at Store 12 (door)". */
export function interactionSentence(kind: 'scan' | 'tap', where: { location: string | null; device: string | null; platform?: 'apple' | 'google' | null }): string {
  const at = where.location ? ` at ${where.location}` : '';
  const device = where.device ? ` (${where.device})` : '';
  if (kind === 'scan') return `Scanned${at}${device}`;
  const pass = where.platform === 'apple' ? 'the Apple pass' : where.platform === 'google' ? 'the Google pass' : 'the pass';
  return `Tapped an NFC reader with ${pass}${at}${device}`;
}

interface InteractionInput {
  kind: 'scan' | 'tap';
  platform: 'apple' | 'google' | null;
  location?: string | undefined;
  device?: string | undefined;
}

/** Records the scan or tap and its timeline event in one transaction (an anonymized customer is refused). */
async function recordInteraction(ctx: AppContext, ref: PassRef, input: InteractionInput, actor: Actor) {
  const at = ctx.clock.now();
  const id = newId(at.getTime());
  const location = input.location ?? null;
  const device = input.device ?? null;
  await withTx(ctx.db, async (tx) => {
    await lockForChange(tx, ref.orgId, ref.customerId);
    await repo.insertInteraction(tx, { org_id: ref.orgId, id, customer_id: ref.customerId, kind: input.kind, platform: input.platform, location, device, created_at: at });
    await recordActivity(tx, {
      orgId: ref.orgId,
      customerId: ref.customerId,
      type: input.kind === 'scan' ? 'wallet.scanned' : 'wallet.tapped',
      actor,
      summary: interactionSentence(input.kind, { location, device, platform: input.platform }),
      payload: { interactionId: id, location, device, ...(input.platform ? { platform: input.platform } : {}) },
      at,
    });
  });
  return { id, at: at.toISOString(), location, device, customer: await customerSummary(ctx, ref) };
}

const unknownCode = (code: string) =>
  new AppError('NOT_FOUND', `No loyalty card with the code ${code} in this organization; check that the whole code was scanned, and that the card belongs to this program`, { field: 'code', code });

/** POST /api/v1/scans: a till or staff app scanned the pass's code. */
export async function recordScan(ctx: AppContext, orgId: string, actor: Actor, body: { code: string; location?: string | undefined; device?: string | undefined }) {
  const ref = await passByCardCode(ctx, orgId, body.code);
  if (!ref) throw unknownCode(body.code);
  return recordInteraction(ctx, ref, { kind: 'scan', platform: null, location: body.location, device: body.device }, actor);
}

/** POST /api/v1/taps: an NFC reader read the pass (its card code or serial number). */
export async function recordTap(
  ctx: AppContext,
  orgId: string,
  actor: Actor,
  body: { code?: string | undefined; serialNumber?: string | undefined; platform: 'apple' | 'google'; location?: string | undefined; device?: string | undefined },
) {
  let ref: PassRef | null;
  if (body.serialNumber !== undefined) {
    ref = await passBySerial(ctx, orgId, body.serialNumber.toLowerCase());
    if (!ref) throw new AppError('NOT_FOUND', `No pass with the serial number ${body.serialNumber} in this organization`, { field: 'serialNumber' });
  } else {
    ref = await passByCardCode(ctx, orgId, body.code ?? '');
    if (!ref) throw unknownCode(body.code ?? '');
  }
  const r = await recordInteraction(ctx, ref, { kind: 'tap', platform: body.platform, location: body.location, device: body.device }, actor);
  return { ...r, platform: body.platform };
}

// --- the customer's pass web app -------------------------------------------------------

/** The customer's own actor on the timeline (as the storefront records it). */
export const passCustomerActor = (customerId: string): Actor => ({ type: 'customer', id: customerId, name: 'The customer' });

export interface PassView {
  organizationName: string;
  memberName: string;
  balance: number;
  tier: string | null;
  rewardsAvailable: string[];
  cardCode: string;
  preferences: NotificationPrefs;
  appleWalletUrl: string | null;
  googleWalletUrl: string | null;
}

/**
 * What the web app shows for a pass, or null when the link must not open anything (the
 * customer was anonymized): the caller answers exactly as for a link that never existed.
 */
export async function passView(ctx: AppContext, ref: PassRef, token: string): Promise<(PassView & { page: Omit<PassPageView, 'preferencesUrl'> }) | null> {
  const customer = await coreRepo.passCustomer(ctx.db, ref.orgId, ref.customerId);
  if (!customer || customer.anonymized_at) return null;
  const { content, prefs } = await passContentWithPrefs(ctx, ref.orgId, ref.customerId);
  const [apple, google] = await Promise.all([coreRepo.appleConfigured(ctx.db, ref.orgId), coreRepo.googleConfigured(ctx.db, ref.orgId)]);
  const base = webAppUrl(ctx, token);
  const appleWalletUrl = apple ? `${base}/apple.pkpass` : null;
  const googleWalletUrl = google ? `${base}/google` : null;
  return {
    organizationName: content.organizationName,
    memberName: content.memberName,
    balance: content.balance,
    tier: content.tierName,
    rewardsAvailable: content.rewardsAvailable,
    cardCode: content.cardCode,
    preferences: prefs,
    appleWalletUrl,
    googleWalletUrl,
    page: {
      organizationName: content.organizationName,
      memberName: content.memberName,
      balance: content.balance,
      tierName: content.tierName,
      rewardsAvailable: content.rewardsAvailable,
      cardCode: content.cardCode,
      backgroundColor: content.backgroundColor,
      foregroundColor: content.foregroundColor,
      preferences: prefs,
      // The page links relative to itself, so it works whatever PATRON_PUBLIC_URL says.
      appleUrl: apple ? `/c/${encodeURIComponent(token)}/apple.pkpass` : null,
      googleUrl: google ? `/c/${encodeURIComponent(token)}/google` : null,
    },
  };
}

/** The customer sets their notification preferences from the pass; the timeline records the customer. */
export async function updatePassPreferences(ctx: AppContext, ref: PassRef, patch: Partial<NotificationPrefs>): Promise<NotificationPrefs> {
  return setPreferences(ctx, ref.orgId, ref.customerId, patch, passCustomerActor(ref.customerId));
}

/** Requests a pass web app takes per minute: per pass, and per client address within an organization. */
export const LINK_LIMITS = { perPassPerMinute: 60, perAddressPerMinute: 300 } as const;
const LINK_WINDOW_MS = 60_000;

/** Counts a request to the pass's web app; 429 `TOO_MANY_REQUESTS` past either limit. */
export async function countLinkRequest(ctx: AppContext, ref: PassRef, ip: string): Promise<void> {
  const now = ctx.clock.now();
  const counts = await repo.takeLinkHits(ctx.db, ref.orgId, [`pass:${ref.serialNumber}`, `ip:${ip}`], now, LINK_WINDOW_MS);
  for (const c of counts) {
    const perPass = c.bucket.startsWith('pass:');
    const limit = perPass ? LINK_LIMITS.perPassPerMinute : LINK_LIMITS.perAddressPerMinute;
    if (c.hits > limit) {
      const retryAfterSeconds = Math.max(1, Math.ceil((new Date(c.window_started_at).getTime() + LINK_WINDOW_MS - now.getTime()) / 1000));
      throw new AppError('TOO_MANY_REQUESTS', `Too many requests ${perPass ? 'for this card' : 'from this address'} (${limit} a minute); try again in ${retryAfterSeconds} s`, {
        retryAfterSeconds,
        limit,
        per: perPass ? 'pass' : 'ip',
      });
    }
  }
}

/** Link-counting windows older than an hour are no longer needed. */
export async function pruneLinkHits(ctx: AppContext, orgId: string): Promise<{ deleted: number }> {
  return { deleted: await repo.deleteOldLinkHits(ctx.db, orgId, new Date(ctx.clock.now().getTime() - 3600_000)) };
}
