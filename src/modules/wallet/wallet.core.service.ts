import { createHash, randomBytes } from 'node:crypto';
import type { AppContext } from '../../context.js';
import { CODE_ALPHABET } from '../../core/codes.js';
import { createSealer, type Sealer } from '../../core/sealing.js';
import type { NotificationPrefs } from '../../db/types.js';
import { AppError } from '../../errors.js';
import { displayName } from '../customers/index.js';
import * as repo from './wallet.core.repo.js';
import type { PassContent } from './wallet.platforms.js';

export const DEFAULT_BACKGROUND = '#1f2a44';
export const DEFAULT_FOREGROUND = '#ffffff';
const CARD_CODE_LENGTH = 12;

export interface PassIdentity {
  serialNumber: string;
  cardCode: string;
  token: string;
}

export interface PassRef {
  orgId: string;
  customerId: string;
  serialNumber: string;
}

/** Pass tokens are sealed under PATRON_ENCRYPTION_KEY so they can be written into the pass again. */
export function tokenSealer(ctx: AppContext): Sealer {
  const key = ctx.config.encryptionKey;
  if (!key) {
    throw new AppError('RULE_REFUSED', 'Set PATRON_ENCRYPTION_KEY (32+ characters, kept secret and stable) to issue wallet passes; it is required with DATABASE_URL', {
      field: 'PATRON_ENCRYPTION_KEY',
    });
  }
  return createSealer(key, 'wallet pass tokens');
}

export const hashPassToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** 12 characters from the unambiguous code alphabet (no 0, O, 1, I, L, U), without bias. */
function newCardCode(): string {
  const limit = 256 - (256 % CODE_ALPHABET.length);
  let out = '';
  while (out.length < CARD_CODE_LENGTH) {
    for (const b of randomBytes(CARD_CODE_LENGTH * 2)) {
      if (b < limit && out.length < CARD_CODE_LENGTH) out += CODE_ALPHABET[b % CODE_ALPHABET.length];
    }
  }
  return out;
}

/** A card code as typed or scanned: case, spaces and dashes ignored, 0/1 read as O/I. */
export function normalizeCardCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '').replace(/0/g, 'O').replace(/1/g, 'I');
}

function identityOf(ctx: AppContext, row: repo.PassRow): PassIdentity {
  return { serialNumber: row.serial_number, cardCode: row.card_code, token: tokenSealer(ctx).open(row.token_sealed) };
}

/**
 * The member's pass, created on first use: a 128-bit serial number, a card code for the
 * barcode and a token (Apple's authenticationToken and the web app link). Only members have
 * one: a guest or a customer who left gets 409.
 */
export async function ensurePass(ctx: AppContext, orgId: string, customerId: string): Promise<PassIdentity> {
  const existing = await repo.findPassOfCustomer(ctx.db, orgId, customerId);
  if (existing) return identityOf(ctx, existing);
  const customer = await repo.passCustomer(ctx.db, orgId, customerId);
  if (!customer) throw AppError.notFound('Customer', customerId);
  if (customer.anonymized_at) throw new AppError('CUSTOMER_ANONYMIZED', 'This customer was anonymized; no wallet pass is issued for them', { customerId });
  if (customer.membership_type !== 'member') {
    throw new AppError(
      'MEMBERSHIP_RESTRICTED',
      `Wallet passes are for members; this customer is ${customer.membership_type === 'guest' ? 'a guest' : 'a customer who left the program'}. Make them a member first`,
      { customerId, membershipType: customer.membership_type },
    );
  }
  const sealer = tokenSealer(ctx);
  for (let attempt = 0; attempt < 5; attempt++) {
    const token = randomBytes(32).toString('base64url');
    let cardCode = newCardCode();
    while (await repo.cardCodeTaken(ctx.db, orgId, cardCode)) cardCode = newCardCode();
    const now = ctx.clock.now();
    try {
      const row = await repo.insertPassIfAbsent(ctx.db, {
        org_id: orgId,
        customer_id: customerId,
        serial_number: randomBytes(16).toString('hex'),
        card_code: cardCode,
        token_hash: hashPassToken(token),
        token_sealed: sealer.seal(token),
        content_hash: null,
        changed_at: now,
        created_at: now,
      });
      if (row) return { serialNumber: row.serial_number, cardCode: row.card_code, token };
      const winner = await repo.findPassOfCustomer(ctx.db, orgId, customerId);
      if (winner) return identityOf(ctx, winner);
    } catch (err) {
      // A card code taken by a concurrent first use of another customer: draw again.
      if ((err as { code?: string }).code !== '23505') throw err;
    }
  }
  throw new AppError('CONCURRENT_UPDATE', 'The wallet pass could not be created; try again', { customerId });
}

const refOf = (row: repo.PassRow): PassRef => ({ orgId: row.org_id, customerId: row.customer_id, serialNumber: row.serial_number });

/** The pass a token belongs to (looked up by its hash, so comparison leaks nothing), or null. */
export async function passByToken(ctx: AppContext, token: string): Promise<PassRef | null> {
  if (typeof token !== 'string' || token.length < 16 || token.length > 200) return null;
  const row = await repo.findPassByTokenHash(ctx.db, hashPassToken(token));
  return row ? refOf(row) : null;
}

export async function passByCardCode(ctx: AppContext, orgId: string, code: string): Promise<PassRef | null> {
  const normalized = normalizeCardCode(code);
  if (normalized.length !== CARD_CODE_LENGTH) return null;
  const row = await repo.findPassByCardCode(ctx.db, orgId, normalized);
  return row ? refOf(row) : null;
}

export async function passBySerial(ctx: AppContext, orgId: string, serial: string): Promise<PassRef | null> {
  if (!/^[0-9a-f]{32}$/.test(serial)) return null;
  const row = await repo.findPassBySerial(ctx.db, orgId, serial);
  return row ? refOf(row) : null;
}

/** The customer's pass web app: absolute when PATRON_PUBLIC_URL is set. */
export function webAppUrl(ctx: AppContext, token: string): string {
  return `${(ctx.config.publicUrl ?? '').replace(/\/+$/, '')}/c/${token}`;
}

/** What the pass shows now, with the customer's notification preferences (for change messages). */
export async function passContentWithPrefs(ctx: AppContext, orgId: string, customerId: string): Promise<{ content: PassContent; prefs: NotificationPrefs; changedAt: Date }> {
  const identity = await ensurePass(ctx, orgId, customerId);
  const pass = (await repo.findPassOfCustomer(ctx.db, orgId, customerId))!;
  const customer = await repo.passCustomer(ctx.db, orgId, customerId);
  if (!customer) throw AppError.notFound('Customer', customerId);
  const settings = await repo.findWalletSettings(ctx.db, orgId);
  const balance = Number(customer.points_active);
  const content: PassContent = {
    orgId,
    customerId,
    serialNumber: identity.serialNumber,
    cardCode: identity.cardCode,
    organizationName: customer.org_name,
    memberName: displayName(customer),
    balance,
    tierName: customer.tier_name ?? null,
    rewardsAvailable: await repo.affordableRewardNames(ctx.db, orgId, balance),
    terms: settings?.terms ?? '',
    webAppUrl: webAppUrl(ctx, identity.token),
    backgroundColor: settings?.background_color ?? DEFAULT_BACKGROUND,
    foregroundColor: settings?.foreground_color ?? DEFAULT_FOREGROUND,
  };
  return { content, prefs: customer.notification_prefs, changedAt: pass.changed_at };
}

/** What the member's pass shows (created on first use; members only). */
export async function passContent(ctx: AppContext, orgId: string, customerId: string): Promise<PassContent> {
  return (await passContentWithPrefs(ctx, orgId, customerId)).content;
}

/** A stable hash of what a pass shows: equal content, equal hash. */
export function contentHash(content: PassContent): string {
  const keys = Object.keys(content).sort() as (keyof PassContent)[];
  return createHash('sha256')
    .update(JSON.stringify(keys.map((k) => [k, content[k]])))
    .digest('hex');
}

export interface WalletSummary {
  pass: { serialNumber: string; cardCode: string; webAppUrl: string } | null;
  apple: { configured: boolean; devices: number };
  google: { configured: boolean; saved: boolean };
  balance: number;
  pushesSent: number;
  pushesFailed: number;
  clicks: number;
  scans: number;
  lastScanAt: string | null;
}

/** The profile's wallet card: the pass (if issued), where it lives, and its pushes, taps and scans. */
export async function walletSummary(ctx: AppContext, orgId: string, customerId: string): Promise<WalletSummary> {
  const customer = await repo.passCustomer(ctx.db, orgId, customerId);
  if (!customer) throw AppError.notFound('Customer', customerId);
  const row = await repo.findPassOfCustomer(ctx.db, orgId, customerId);
  const pass = row ? identityOf(ctx, row) : null;
  const pushes = await repo.pushCounts(ctx.db, orgId, customerId);
  const interactions = await repo.interactionCounts(ctx.db, orgId, customerId);
  return {
    pass: pass ? { serialNumber: pass.serialNumber, cardCode: pass.cardCode, webAppUrl: webAppUrl(ctx, pass.token) } : null,
    apple: { configured: await repo.appleConfigured(ctx.db, orgId), devices: pass ? await repo.appleDeviceCount(ctx.db, orgId, pass.serialNumber) : 0 },
    google: { configured: await repo.googleConfigured(ctx.db, orgId), saved: await repo.googleSaved(ctx.db, orgId, customerId) },
    balance: Number(customer.points_active),
    pushesSent: pushes.sent,
    pushesFailed: pushes.failed,
    clicks: interactions.taps,
    scans: interactions.scans,
    lastScanAt: interactions.lastScanAt ? interactions.lastScanAt.toISOString() : null,
  };
}
