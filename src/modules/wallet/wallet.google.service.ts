import { createHash, randomBytes } from 'node:crypto';
import type { Actor, AppContext } from '../../context.js';
import { createSealer, type Sealer } from '../../core/sealing.js';
import { withTx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { recordActivity } from '../activity/index.js';
import { findWalletSettings, passCustomer } from './wallet.core.repo.js';
import { DEFAULT_BACKGROUND, passContent } from './wallet.core.service.js';
import { googleCall } from './wallet.google.client.js';
import { parseServiceAccount, signJwt, type ServiceAccount } from './wallet.google.jwt.js';
import * as repo from './wallet.google.repo.js';
import { GoogleError } from './wallet.google.tokens.js';
import type { PassChange, PassContent, PassPlatform, PlatformDelivery } from './wallet.platforms.js';

/**
 * Google Wallet: one loyalty class per organization (`<issuer id>.<class suffix>`) and one
 * loyalty object per member (`<issuer id>.<pass serial number>`), written through the REST
 * API as the organization's service account; a "save to Google Wallet" link carrying the
 * object in a JWT signed with the same key; object messages for pushes.
 */

export const SAVE_URL_BASE = 'https://pay.google.com/gp/v/save/';
const GOOGLE_ACTOR: Actor = { type: 'integration', id: null, name: 'Google Wallet' };
const IDENTIFIER = /^[A-Za-z0-9._-]+$/;
const MAX_ORIGINS = 20;

/** Service-account keys are sealed under PATRON_ENCRYPTION_KEY. */
export function googleKeySealer(ctx: AppContext): Sealer {
  const key = ctx.config.encryptionKey;
  if (!key) {
    throw new AppError('RULE_REFUSED', 'Set PATRON_ENCRYPTION_KEY (32+ characters, kept secret and stable) to store the Google service-account key; it is required with DATABASE_URL', {
      field: 'PATRON_ENCRYPTION_KEY',
    });
  }
  return createSealer(key, 'wallet google keys');
}

export interface GoogleConfigureInput {
  issuerId: string;
  /** The service-account key file's text (JSON). */
  serviceAccountJson: string;
  classSuffix?: string | undefined;
  /** Origins of the pages that show the "Save to Google Wallet" button. */
  origins?: string[] | undefined;
  /** An https image Google shows as the program logo (Google requires one before it approves the class). */
  logoUrl?: string | undefined;
  programName?: string | undefined;
}

export interface GoogleConfigured {
  classId: string;
  /** Whether the class was created now or already existed and was updated. */
  class: 'created' | 'updated';
  serviceAccountEmail: string;
  origins: string[];
}

/** Normalizes and checks the configure input; throws a field error and changes nothing. */
export function checkGoogleInput(input: GoogleConfigureInput, orgSlug: string) {
  const issuerId = input.issuerId.trim();
  if (!/^\d{1,32}$/.test(issuerId)) throw AppError.validation('issuerId', 'must be the issuer ID shown in the Google Pay & Wallet Console (digits only, such as 3388000000012345678)');
  const classSuffix = (input.classSuffix ?? orgSlug.replace(/[^A-Za-z0-9._-]/g, '-')).trim();
  if (classSuffix === '' || classSuffix.length > 100 || !IDENTIFIER.test(classSuffix)) {
    throw AppError.validation('classSuffix', 'must be 1 to 100 letters, digits, dots, dashes or underscores (such as loyalty)');
  }
  const origins: string[] = [];
  for (const raw of input.origins ?? []) {
    let url: URL;
    try {
      url = new URL(raw.trim());
    } catch {
      throw AppError.validation('origins', `"${raw}" is not a URL; give the origin of a page showing the button, such as https://shop.example`);
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && url.hostname === 'localhost')) {
      throw AppError.validation('origins', `"${raw}" must use https (http only for localhost)`);
    }
    if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username) {
      throw AppError.validation('origins', `"${raw}" must be an origin only (scheme, host and port, no path), such as ${url.origin}`);
    }
    if (!origins.includes(url.origin)) origins.push(url.origin);
  }
  if (origins.length > MAX_ORIGINS) throw AppError.validation('origins', `at most ${MAX_ORIGINS} origins`);
  let logoUrl: string | undefined;
  if (input.logoUrl !== undefined) {
    let url: URL | null = null;
    try {
      url = new URL(input.logoUrl.trim());
    } catch {
      url = null;
    }
    if (!url || url.protocol !== 'https:' || input.logoUrl.length > 2000) throw AppError.validation('logoUrl', 'must be a public https URL of a PNG or JPEG image (Google fetches it)');
    logoUrl = url.href;
  }
  const programName = input.programName?.trim();
  if (programName !== undefined && (programName === '' || programName.length > 100)) throw AppError.validation('programName', 'must be 1 to 100 characters');
  const account = parseServiceAccount(input.serviceAccountJson, 'serviceAccount');
  return { issuerId, classSuffix, origins, logoUrl, programName, account };
}

const localized = (value: string) => ({ defaultValue: { language: 'en-US', value } });

/** The loyalty class as sent to Google. */
export function loyaltyClassBody(c: { classId: string; issuerName: string; programName: string; logoUrl?: string | undefined; backgroundColor: string }): Record<string, unknown> {
  return {
    id: c.classId,
    issuerName: c.issuerName.slice(0, 100),
    programName: c.programName.slice(0, 100),
    ...(c.logoUrl ? { programLogo: { sourceUri: { uri: c.logoUrl }, contentDescription: localized(`${c.issuerName} logo`) } } : {}),
    reviewStatus: 'UNDER_REVIEW',
    hexBackgroundColor: c.backgroundColor,
    accountIdLabel: 'Card number',
    accountNameLabel: 'Member',
    multipleDevicesAndHoldersAllowedStatus: 'ONE_USER_ALL_DEVICES',
  };
}

/**
 * Creates the organization's loyalty class or updates it, then stores the settings with the
 * key sealed. Google is asked first: a key or issuer Google refuses stores nothing. Changing
 * the issuer or class forgets the objects written for the previous one.
 */
export async function configureGoogle(ctx: AppContext, org: { id: string; slug: string; name: string }, input: GoogleConfigureInput): Promise<GoogleConfigured> {
  const v = checkGoogleInput(input, org.slug);
  const sealed = googleKeySealer(ctx).seal(v.account.privateKeyPem);
  const classId = `${v.issuerId}.${v.classSuffix}`;
  const colors = await findWalletSettings(ctx.db, org.id);
  const body = loyaltyClassBody({
    classId,
    issuerName: org.name,
    programName: v.programName ?? org.name,
    logoUrl: v.logoUrl,
    backgroundColor: colors?.background_color ?? DEFAULT_BACKGROUND,
  });
  let created: 'created' | 'updated' = 'created';
  try {
    await googleCall(ctx, v.account, { method: 'POST', path: '/loyaltyClass', body });
  } catch (err) {
    if (!(err instanceof GoogleError) || err.status !== 409) throw refusal(err, 'Google did not accept the loyalty class');
    created = 'updated';
    try {
      // It exists: change the fields Patron sets, keep what was set elsewhere (a logo given before).
      await googleCall(ctx, v.account, { method: 'PATCH', path: `/loyaltyClass/${encodeURIComponent(classId)}`, body });
    } catch (e) {
      throw refusal(e, 'Google did not accept the loyalty class update');
    }
  }
  const now = ctx.clock.now();
  await withTx(ctx.db, async (tx) => {
    const before = await repo.findGoogleSettings(tx, org.id);
    if (before && (before.issuer_id !== v.issuerId || before.class_suffix !== v.classSuffix)) await repo.deleteGoogleObjects(tx, org.id);
    await repo.saveGoogleSettings(tx, {
      orgId: org.id,
      issuerId: v.issuerId,
      serviceAccountEmail: v.account.clientEmail,
      keySealed: sealed,
      classSuffix: v.classSuffix,
      origins: v.origins,
      classSyncedAt: now,
      now,
    });
  });
  return { classId, class: created, serviceAccountEmail: v.account.clientEmail, origins: v.origins };
}

function refusal(err: unknown, what: string): Error {
  if (err instanceof GoogleError) return new AppError(err.retryable ? 'UNAVAILABLE' : 'RULE_REFUSED', `${what}: ${err.message}`);
  return err instanceof Error ? err : new Error(String(err));
}

interface GoogleSetup {
  settings: repo.GoogleSettingsRow;
  account: ServiceAccount;
  classId: string;
}

async function setupOf(ctx: AppContext, orgId: string): Promise<GoogleSetup | null> {
  const settings = await repo.findGoogleSettings(ctx.db, orgId);
  if (!settings) return null;
  const account = { clientEmail: settings.service_account_email, privateKeyPem: googleKeySealer(ctx).open(settings.key_sealed) };
  return { settings, account, classId: `${settings.issuer_id}.${settings.class_suffix}` };
}

export const objectIdOf = (issuerId: string, serialNumber: string): string => `${issuerId}.${serialNumber}`;

/**
 * The member's loyalty object: points as an integer balance, the tier as secondary points,
 * a QR code carrying the card code, rewards available and terms as text modules, the pass
 * web app as a link when its address is absolute.
 */
export function loyaltyObjectBody(content: PassContent, s: { issuerId: string; classId: string }): Record<string, unknown> {
  const text: { id: string; header: string; body: string }[] = [];
  if (content.rewardsAvailable.length > 0) text.push({ id: 'rewards', header: 'Rewards available', body: content.rewardsAvailable.join(', ').slice(0, 1000) });
  if (content.terms.trim() !== '') text.push({ id: 'terms', header: 'Terms', body: content.terms.slice(0, 2000) });
  const link = /^https?:\/\//.test(content.webAppUrl) ? content.webAppUrl : null;
  return {
    id: objectIdOf(s.issuerId, content.serialNumber),
    classId: s.classId,
    state: 'ACTIVE',
    accountId: content.cardCode,
    accountName: content.memberName,
    loyaltyPoints: { label: 'Points', balance: { int: Math.trunc(content.balance) } },
    ...(content.tierName ? { secondaryLoyaltyPoints: { label: 'Tier', balance: { string: content.tierName } } } : {}),
    barcode: { type: 'QR_CODE', value: content.cardCode, alternateText: content.cardCode },
    ...(text.length > 0 ? { textModulesData: text } : {}),
    ...(link ? { linksModuleData: { uris: [{ id: 'card', uri: link, description: 'Your card and notification settings' }] } } : {}),
  };
}

const hashOf = (body: unknown): string => createHash('sha256').update(JSON.stringify(body)).digest('hex');

function setupOrRefuse(setup: GoogleSetup | null): GoogleSetup {
  if (!setup) {
    throw new AppError('RULE_REFUSED', 'Google Wallet is not configured for this organization; run `patron wallet google configure` first (see docs/wallet.md)', { platform: 'google' });
  }
  return setup;
}

/**
 * The "save to Google Wallet" link of a member's pass: `https://pay.google.com/gp/v/save/<jwt>`,
 * the JWT signed RS256 with the service account's key and carrying the loyalty object. The
 * customer's object row is created so later changes update the object at Google.
 */
export async function googleSaveUrl(ctx: AppContext, orgId: string, customerId: string): Promise<string> {
  return (await googleSaveLink(ctx, orgId, customerId)).saveUrl;
}

/** Longest JWT a save link may carry: browsers cut longer links (Google's guidance). */
export const MAX_LINK_JWT = 1800;

export async function googleSaveLink(ctx: AppContext, orgId: string, customerId: string): Promise<{ saveUrl: string; objectId: string; saved: boolean }> {
  const setup = setupOrRefuse(await setupOf(ctx, orgId));
  const content = await passContent(ctx, orgId, customerId);
  const object = loyaltyObjectBody(content, { issuerId: setup.settings.issuer_id, classId: setup.classId });
  let row = await repo.ensureGoogleObject(ctx.db, orgId, customerId, object.id as string, ctx.clock.now());
  const sign = (o: Record<string, unknown>) =>
    signJwt(
      {
        iss: setup.account.clientEmail,
        aud: 'google',
        typ: 'savetowallet',
        iat: Math.floor(ctx.clock.now().getTime() / 1000),
        origins: setup.settings.origins,
        payload: { loyaltyObjects: [o] },
      },
      setup.account.privateKeyPem,
    );
  let jwt = sign(object);
  if (jwt.length > MAX_LINK_JWT) {
    // Too long for a link (long terms, many rewards): write the object through the API first
    // and let the link name it by id only.
    const hash = hashOf(object);
    if (row.synced_content_hash !== hash || row.last_error !== null) {
      try {
        await recordSync(ctx, content, await writeObject(ctx, setup, object), hash);
      } catch (err) {
        if (err instanceof GoogleError) await repo.markGoogleObjectFailed(ctx.db, orgId, customerId, err.message, ctx.clock.now());
        throw refusal(err, 'Google did not accept the loyalty object');
      }
      row = (await repo.findGoogleObject(ctx.db, orgId, customerId)) ?? row;
    }
    jwt = sign({ id: object.id, classId: object.classId });
  }
  return { saveUrl: `${SAVE_URL_BASE}${jwt}`, objectId: row.object_id, saved: row.saved };
}

/** Records `saved` as Google reads it (`hasUsers`), with a timeline entry when it changes. */
async function recordSync(ctx: AppContext, content: PassContent, answer: Record<string, unknown>, hash: string | null): Promise<void> {
  const saved = typeof answer.hasUsers === 'boolean' ? answer.hasUsers : null;
  const now = ctx.clock.now();
  await withTx(ctx.db, async (tx) => {
    const r = await repo.markGoogleObjectSynced(tx, content.orgId, content.customerId, { contentHash: hash, saved, now });
    if (r.becameSaved || r.becameUnsaved) {
      await recordActivity(tx, {
        orgId: content.orgId,
        customerId: content.customerId,
        type: r.becameSaved ? 'wallet.pass_added' : 'wallet.pass_removed',
        actor: GOOGLE_ACTOR,
        summary: r.becameSaved ? 'Saved the loyalty card to Google Wallet' : 'Removed the loyalty card from Google Wallet',
        payload: { platform: 'google' },
        at: now,
      });
    }
  });
}

/** Failures: a retryable one is thrown (the caller tries again later), a refusal is recorded and reported. */
async function failed(ctx: AppContext, content: PassContent, err: unknown): Promise<PlatformDelivery> {
  if (!(err instanceof GoogleError) || err.retryable) {
    if (err instanceof GoogleError) await repo.markGoogleObjectFailed(ctx.db, content.orgId, content.customerId, err.message, ctx.clock.now());
    throw err;
  }
  await repo.markGoogleObjectFailed(ctx.db, content.orgId, content.customerId, err.message, ctx.clock.now());
  return { platform: 'google', delivered: 0, failed: 1, reason: err.message };
}

/** Writes the object: update (PUT); insert (POST) when Google does not have it yet. */
async function writeObject(ctx: AppContext, setup: GoogleSetup, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const path = `/loyaltyObject/${encodeURIComponent(body.id as string)}`;
  try {
    return (await googleCall(ctx, setup.account, { method: 'PUT', path, body })).json;
  } catch (err) {
    if (!(err instanceof GoogleError) || err.status !== 404) throw err;
  }
  try {
    return (await googleCall(ctx, setup.account, { method: 'POST', path: '/loyaltyObject', body })).json;
  } catch (err) {
    // Saved through the link between the two calls: it exists now.
    if (!(err instanceof GoogleError) || err.status !== 409) throw err;
    return (await googleCall(ctx, setup.account, { method: 'PUT', path, body })).json;
  }
}

export async function googlePassChanged(ctx: AppContext, change: PassChange): Promise<PlatformDelivery> {
  const content = change.current;
  const setup = await setupOf(ctx, content.orgId);
  if (!setup) return { platform: 'google', delivered: 0, failed: 0, reason: 'Google Wallet is not configured' };
  const row = await repo.findGoogleObject(ctx.db, content.orgId, content.customerId);
  // Only members who were given the save link have an object to keep current.
  if (!row) return { platform: 'google', delivered: 0, failed: 0 };
  const body = loyaltyObjectBody(content, { issuerId: setup.settings.issuer_id, classId: setup.classId });
  const hash = hashOf(body);
  if (row.synced_content_hash === hash && row.last_error === null) return { platform: 'google', delivered: 0, failed: 0 };
  const notify = change.kinds.some((k) => change.notify[k]);
  try {
    const answer = await writeObject(ctx, setup, notify ? { ...body, notifyPreference: 'NOTIFY_ON_UPDATE' } : body);
    await recordSync(ctx, content, answer, hash);
    return { platform: 'google', delivered: 1, failed: 0 };
  } catch (err) {
    return failed(ctx, content, err);
  }
}

export async function googleSendMessage(ctx: AppContext, content: PassContent, message: string): Promise<PlatformDelivery> {
  const setup = await setupOf(ctx, content.orgId);
  if (!setup) return { platform: 'google', delivered: 0, failed: 0, reason: 'Google Wallet is not configured' };
  const row = await repo.findGoogleObject(ctx.db, content.orgId, content.customerId);
  if (!row) return { platform: 'google', delivered: 0, failed: 0, reason: 'The customer was never given the Google Wallet link' };
  const customer = await passCustomer(ctx.db, content.orgId, content.customerId);
  const notify = customer?.notification_prefs.marketing === true;
  const body = {
    message: {
      id: `patron-${randomBytes(8).toString('hex')}`,
      header: content.organizationName.slice(0, 100),
      body: message,
      messageType: notify ? 'TEXT_AND_NOTIFY' : 'TEXT',
    },
  };
  const path = `/loyaltyObject/${encodeURIComponent(row.object_id)}/addMessage`;
  try {
    const answer = (await googleCall(ctx, setup.account, { method: 'POST', path, body })).json;
    const resource = answer.resource !== null && typeof answer.resource === 'object' ? (answer.resource as Record<string, unknown>) : {};
    await recordSync(ctx, content, resource, null);
    return { platform: 'google', delivered: 1, failed: 0 };
  } catch (err) {
    // Google creates the object when the customer saves the pass from the link: not yet.
    if (err instanceof GoogleError && err.status === 404) return { platform: 'google', delivered: 0, failed: 0, reason: 'The customer has not saved the Google Wallet pass' };
    return failed(ctx, content, err);
  }
}

export const googlePlatform: PassPlatform = {
  name: 'google',
  configured: async (ctx, orgId) => (await repo.findGoogleSettings(ctx.db, orgId)) !== undefined,
  passChanged: googlePassChanged,
  sendMessage: googleSendMessage,
  status: async (ctx, orgId, customerId) => ({ saved: (await repo.findGoogleObject(ctx.db, orgId, customerId))?.saved ?? false }),
};

