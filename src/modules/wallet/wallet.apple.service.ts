import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.js';
import { createSealer, type Sealer } from '../../core/sealing.js';
import { withTx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import type { VerifiedCaller } from '../../http/security.js';
import { recordActivity } from '../activity/index.js';
import { pushToDevices } from './wallet.apple.apns.js';
import { checkAppleCertificates } from './wallet.apple.certs.js';
import { buildPkpass, type PassSigning } from './wallet.apple.pkpass.js';
import * as repo from './wallet.apple.repo.js';
import * as core from './wallet.core.repo.js';
import { contentHash, ensurePass, hashPassToken, passContentWithPrefs } from './wallet.core.service.js';
import type { PassChange, PassContent, PassPlatform, PlatformDelivery } from './wallet.platforms.js';

/** The pass certificate's private key is sealed under PATRON_ENCRYPTION_KEY. */
export function appleKeySealer(ctx: AppContext): Sealer {
  const key = ctx.config.encryptionKey;
  if (!key) {
    throw new AppError('RULE_REFUSED', 'Set PATRON_ENCRYPTION_KEY (32+ characters, kept secret and stable) to store the Apple pass certificate key; it is required with DATABASE_URL', {
      field: 'PATRON_ENCRYPTION_KEY',
    });
  }
  return createSealer(key, 'wallet apple keys');
}

export interface AppleConfigureInput {
  passTypeId: string;
  teamId: string;
  certificate: Buffer;
  key: Buffer;
  wwdr: Buffer;
}

export const CLI_NAMES = { passTypeId: '--pass-type-id', teamId: '--team-id', certificate: '--cert', key: '--key', wwdr: '--wwdr' };

/** Stores an organization's Apple certificates after checking them; another organization's pass type is refused. */
export async function configureApple(ctx: AppContext, orgId: string, input: AppleConfigureInput, names = CLI_NAMES) {
  const now = ctx.clock.now();
  const checked = checkAppleCertificates(input, now, names);
  const others = (await repo.appleSettingsByPassType(ctx.db, input.passTypeId)).filter((r) => r.org_id !== orgId);
  if (others.length > 0) {
    throw new AppError('ALREADY_EXISTS', `${names.passTypeId}: ${input.passTypeId} is used by another organization; every organization needs a pass type of its own`, {
      fields: [{ field: names.passTypeId, problem: 'is used by another organization' }],
    });
  }
  await repo.upsertAppleSettings(ctx.db, {
    org_id: orgId,
    pass_type_id: input.passTypeId,
    team_id: input.teamId,
    certificate_pem: checked.certificatePem,
    key_sealed: appleKeySealer(ctx).seal(checked.keyPem),
    wwdr_pem: checked.wwdrPem,
    certificate_expires_at: checked.expiresAt,
    self_signed: checked.selfSigned,
    created_at: now,
    updated_at: now,
  });
  return { passTypeId: input.passTypeId, teamId: input.teamId, expiresAt: checked.expiresAt, selfSigned: checked.selfSigned };
}

async function signingOf(ctx: AppContext, orgId: string): Promise<PassSigning | null> {
  const row = await repo.findAppleSettings(ctx.db, orgId);
  if (!row) return null;
  return { passTypeId: row.pass_type_id, teamId: row.team_id, certificatePem: row.certificate_pem, keyPem: appleKeySealer(ctx).open(row.key_sealed), wwdrPem: row.wwdr_pem };
}

/** Where devices reach the PassKit web service; null without PATRON_PUBLIC_URL (the pass then never updates). */
export function webServiceUrl(ctx: AppContext): string | null {
  return ctx.config.publicUrl ? `${ctx.config.publicUrl.replace(/\/+$/, '')}/api/passkit` : null;
}

/** The member's signed .pkpass as it is now, with its change time (Last-Modified). */
export async function applePass(ctx: AppContext, orgId: string, customerId: string): Promise<{ bytes: Buffer; changedAt: Date; serialNumber: string }> {
  const signing = await signingOf(ctx, orgId);
  if (!signing) throw new AppError('RULE_REFUSED', 'Apple Wallet is not configured for this organization: run `patron wallet apple configure` first (see docs/wallet.md)');
  const identity = await ensurePass(ctx, orgId, customerId);
  const { content, prefs } = await passContentWithPrefs(ctx, orgId, customerId);
  await core.recordFirstContent(ctx.db, orgId, customerId, contentHash(content), content);
  const row = (await core.findPassOfCustomer(ctx.db, orgId, customerId))!;
  const bytes = buildPkpass(content, signing, { token: identity.token, webServiceUrl: webServiceUrl(ctx), prefs, message: row.message }, ctx.clock.now());
  return { bytes, changedAt: row.changed_at, serialNumber: identity.serialNumber };
}

/** Pushes an update to every device holding the pass; tokens APNs no longer knows are removed. */
async function pushPass(ctx: AppContext, orgId: string, serialNumber: string): Promise<PlatformDelivery> {
  const signing = await signingOf(ctx, orgId);
  if (!signing) return { platform: 'apple', delivered: 0, failed: 0, reason: 'Apple Wallet is not configured' };
  const registrations = await repo.registrationsOfSerial(ctx.db, orgId, serialNumber);
  if (registrations.length === 0) return { platform: 'apple', delivered: 0, failed: 0, reason: 'No Apple device holds this pass' };
  const tokens = [...new Set(registrations.map((r) => r.push_token))];
  const results = await pushToDevices(ctx, signing, tokens);
  const failures = results.filter((r) => !r.ok);
  for (const f of failures) if (f.gone) await repo.deletePushToken(ctx.db, orgId, f.token);
  return {
    platform: 'apple',
    delivered: results.length - failures.length,
    failed: failures.length,
    ...(failures.length > 0 ? { reason: [...new Set(failures.map((f) => f.reason + (f.gone ? ' (device removed)' : '')))].join('; ') } : {}),
  };
}

export const applePlatform: PassPlatform = {
  name: 'apple',
  configured: (ctx, orgId) => core.appleConfigured(ctx.db, orgId),
  async passChanged(ctx: AppContext, change: PassChange) {
    // The customer turned off notifications for everything that changed: no push (the pass
    // refreshes the next time Wallet asks).
    if (change.kinds.length > 0 && change.kinds.every((k) => !change.notify[k])) {
      return { platform: 'apple', delivered: 0, failed: 0, reason: 'The customer turned off notifications for this change' };
    }
    return pushPass(ctx, change.current.orgId, change.current.serialNumber);
  },
  async sendMessage(ctx: AppContext, content: PassContent, message: string) {
    await core.setPassMessage(ctx.db, content.orgId, content.customerId, message, ctx.clock.now());
    return pushPass(ctx, content.orgId, content.serialNumber);
  },
  async status(ctx, orgId, customerId) {
    const pass = await core.findPassOfCustomer(ctx.db, orgId, customerId);
    return { devices: pass ? await core.appleDeviceCount(ctx.db, orgId, pass.serial_number) : 0 };
  },
};

const unauthorized = () => new AppError('UNAUTHENTICATED', 'Send Authorization: ApplePass <authenticationToken> of this pass');

/** The organization that uses a pass type; null when none (or, misconfigured, several) do. */
export async function orgOfPassType(ctx: AppContext, passTypeId: string): Promise<string | null> {
  const rows = await repo.appleSettingsByPassType(ctx.db, passTypeId);
  return rows.length === 1 ? rows[0]!.org_id : null;
}

/**
 * PassKit web service: `Authorization: ApplePass <token>` names the pass (found by the
 * token's hash); the URL's pass type and serial number must be that pass's.
 */
export async function verifyApplePass(request: FastifyRequest, ctx: AppContext): Promise<VerifiedCaller> {
  const m = /^ApplePass\s+(\S+)$/.exec(request.headers.authorization ?? '');
  if (!m) throw unauthorized();
  const params = request.params as { passTypeId?: string; serialNumber?: string };
  const pass = await core.findPassByTokenHash(ctx.db, hashPassToken(m[1]!));
  if (!pass || pass.serial_number !== params.serialNumber) throw unauthorized();
  const orgId = params.passTypeId ? await orgOfPassType(ctx, params.passTypeId) : null;
  if (orgId !== pass.org_id) throw unauthorized();
  return {
    orgId,
    actor: { type: 'customer', id: pass.customer_id, name: 'Customer (Apple Wallet)' },
    claims: { customerId: pass.customer_id, serialNumber: pass.serial_number },
  };
}

/** A device asks for the pass's updates: 201 when new, 200 when it was registered already. */
export async function registerDevice(ctx: AppContext, caller: VerifiedCaller, deviceId: string, pushToken: string): Promise<'created' | 'existing'> {
  const { customerId, serialNumber } = caller.claims as { customerId: string; serialNumber: string };
  return withTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const created = await repo.upsertRegistration(tx, caller.orgId, deviceId, serialNumber, pushToken, now);
    if (created) {
      await recordActivity(tx, {
        orgId: caller.orgId,
        customerId,
        type: 'wallet.pass_added',
        actor: caller.actor,
        summary: 'Added the pass to Apple Wallet',
        payload: { platform: 'apple' },
        at: now,
      });
    }
    return created ? 'created' : 'existing';
  });
}

export async function unregisterDevice(ctx: AppContext, caller: VerifiedCaller, deviceId: string): Promise<void> {
  const { customerId, serialNumber } = caller.claims as { customerId: string; serialNumber: string };
  await withTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    if (await repo.deleteRegistration(tx, caller.orgId, deviceId, serialNumber)) {
      await recordActivity(tx, {
        orgId: caller.orgId,
        customerId,
        type: 'wallet.pass_removed',
        actor: caller.actor,
        summary: 'Removed the pass from Apple Wallet',
        payload: { platform: 'apple' },
        at: now,
      });
    }
  });
}

/** Update tags are the pass change times in milliseconds. */
export async function serialsUpdated(ctx: AppContext, deviceId: string, passTypeId: string, tag: string | undefined): Promise<{ serialNumbers: string[]; lastUpdated: string } | null> {
  const orgId = await orgOfPassType(ctx, passTypeId);
  if (!orgId) return null;
  const since = tag !== undefined && /^\d{1,15}$/.test(tag) ? new Date(Number(tag)) : null;
  const rows = await repo.serialsOfDevice(ctx.db, orgId, deviceId, since);
  if (rows.length === 0) return null;
  const last = Math.max(...rows.map((r) => r.changed_at.getTime()));
  return { serialNumbers: rows.map((r) => r.serial_number), lastUpdated: String(last) };
}
