import type { Insertable, Selectable } from 'kysely';
import { cacheTag, invalidate } from '../../db/invalidation.js';
import type { Executor } from '../../db/tx.js';
import type { WalletAppleRegistrationsTable, WalletAppleSettingsTable } from './wallet.tables.js';

export type AppleSettingsRow = Selectable<WalletAppleSettingsTable>;
export type RegistrationRow = Selectable<WalletAppleRegistrationsTable>;

export function findAppleSettings(db: Executor, orgId: string): Promise<AppleSettingsRow | undefined> {
  return db.selectFrom('wallet_apple_settings').selectAll().where('org_id', '=', orgId).executeTakeFirst();
}

/** The organizations using a pass type (at most one when configured through Patron). */
export function appleSettingsByPassType(db: Executor, passTypeId: string): Promise<AppleSettingsRow[]> {
  return db.selectFrom('wallet_apple_settings').selectAll().where('pass_type_id', '=', passTypeId).execute();
}

export async function upsertAppleSettings(db: Executor, row: Insertable<WalletAppleSettingsTable>): Promise<void> {
  await invalidate(db, [cacheTag.outbox(row.org_id)]);
  await db
    .insertInto('wallet_apple_settings')
    .values(row)
    .onConflict((oc) =>
      oc.column('org_id').doUpdateSet({
        pass_type_id: row.pass_type_id,
        team_id: row.team_id,
        certificate_pem: row.certificate_pem,
        key_sealed: row.key_sealed,
        wwdr_pem: row.wwdr_pem,
        certificate_expires_at: row.certificate_expires_at,
        self_signed: row.self_signed,
        updated_at: row.updated_at,
      }),
    )
    .execute();
}

/** Registers a device for a pass's updates; true when it was not registered before. */
export async function upsertRegistration(db: Executor, orgId: string, deviceId: string, serial: string, pushToken: string, at: Date): Promise<boolean> {
  const inserted = await db
    .insertInto('wallet_apple_registrations')
    .values({ org_id: orgId, device_library_id: deviceId, serial_number: serial, push_token: pushToken, created_at: at, updated_at: at })
    .onConflict((oc) => oc.columns(['org_id', 'device_library_id', 'serial_number']).doNothing())
    .returning('org_id')
    .executeTakeFirst();
  if (inserted) return true;
  await db
    .updateTable('wallet_apple_registrations')
    .set({ push_token: pushToken, updated_at: at })
    .where('org_id', '=', orgId)
    .where('device_library_id', '=', deviceId)
    .where('serial_number', '=', serial)
    .execute();
  return false;
}

/** Removes a registration; true when there was one. */
export async function deleteRegistration(db: Executor, orgId: string, deviceId: string, serial: string): Promise<boolean> {
  const res = await db
    .deleteFrom('wallet_apple_registrations')
    .where('org_id', '=', orgId)
    .where('device_library_id', '=', deviceId)
    .where('serial_number', '=', serial)
    .executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

/** Removes every registration that uses a push token APNs no longer accepts. */
export async function deletePushToken(db: Executor, orgId: string, pushToken: string): Promise<void> {
  await db.deleteFrom('wallet_apple_registrations').where('org_id', '=', orgId).where('push_token', '=', pushToken).execute();
}

export function registrationsOfSerial(db: Executor, orgId: string, serial: string): Promise<RegistrationRow[]> {
  return db.selectFrom('wallet_apple_registrations').selectAll().where('org_id', '=', orgId).where('serial_number', '=', serial).orderBy('device_library_id').execute();
}

/** Serial numbers a device registered whose pass changed after `since` (all of them without it), with their change times. */
export function serialsOfDevice(db: Executor, orgId: string, deviceId: string, since: Date | null) {
  let q = db
    .selectFrom('wallet_apple_registrations as r')
    .innerJoin('wallet_passes as p', (j) => j.onRef('p.org_id', '=', 'r.org_id').onRef('p.serial_number', '=', 'r.serial_number'))
    .select(['p.serial_number', 'p.changed_at'])
    .where('r.org_id', '=', orgId)
    .where('r.device_library_id', '=', deviceId);
  if (since) q = q.where('p.changed_at', '>', since);
  return q.orderBy('p.serial_number').execute();
}
