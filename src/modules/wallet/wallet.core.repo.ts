import type { Insertable, Selectable } from 'kysely';
import type { PassContent } from './wallet.platforms.js';
import type { Executor } from '../../db/tx.js';
import type { WalletPassesTable } from './wallet.tables.js';

export type PassRow = Selectable<WalletPassesTable>;

export function findPassOfCustomer(db: Executor, orgId: string, customerId: string): Promise<PassRow | undefined> {
  return db.selectFrom('wallet_passes').selectAll().where('org_id', '=', orgId).where('customer_id', '=', customerId).executeTakeFirst();
}

/** Inserts the customer's pass unless one exists (a concurrent first use keeps the first row). */
export async function insertPassIfAbsent(db: Executor, row: Insertable<WalletPassesTable>): Promise<PassRow | undefined> {
  return db.insertInto('wallet_passes').values(row).onConflict((oc) => oc.columns(['org_id', 'customer_id']).doNothing()).returningAll().executeTakeFirst();
}

/** A pass token is looked up by its SHA-256 across organizations, like a publishable key. */
export function findPassByTokenHash(db: Executor, tokenHash: string): Promise<PassRow | undefined> {
  return db.selectFrom('wallet_passes').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

export function findPassByCardCode(db: Executor, orgId: string, cardCode: string): Promise<PassRow | undefined> {
  return db.selectFrom('wallet_passes').selectAll().where('org_id', '=', orgId).where('card_code', '=', cardCode).executeTakeFirst();
}

export function findPassBySerial(db: Executor, orgId: string, serial: string): Promise<PassRow | undefined> {
  return db.selectFrom('wallet_passes').selectAll().where('org_id', '=', orgId).where('serial_number', '=', serial).executeTakeFirst();
}

export async function cardCodeTaken(db: Executor, orgId: string, cardCode: string): Promise<boolean> {
  return (await findPassByCardCode(db, orgId, cardCode)) !== undefined;
}

/** The customer, their tier's name and their organization's name: what a pass shows of them. */
export function passCustomer(db: Executor, orgId: string, customerId: string) {
  return db
    .selectFrom('customers as c')
    .innerJoin('organizations as o', 'o.id', 'c.org_id')
    .leftJoin('tiers as t', (j) => j.onRef('t.org_id', '=', 'c.org_id').onRef('t.id', '=', 'c.tier_id'))
    .select([
      'c.id',
      'c.first_name',
      'c.last_name',
      'c.email',
      'c.membership_type',
      'c.anonymized_at',
      'c.points_active',
      'c.notification_prefs',
      'o.name as org_name',
      't.name as tier_name',
    ])
    .where('c.org_id', '=', orgId)
    .where('c.id', '=', customerId)
    .executeTakeFirst();
}

/** Names of the organization's active rewards a balance can pay for, cheapest first. */
export async function affordableRewardNames(db: Executor, orgId: string, balance: number, limit = 10): Promise<string[]> {
  if (balance <= 0) return [];
  const rows = await db
    .selectFrom('rewards')
    .select('name')
    .where('org_id', '=', orgId)
    .where('active', '=', true)
    .where('points_cost', '>', 0)
    .where('points_cost', '<=', balance)
    .orderBy('points_cost')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.name);
}

export function findWalletSettings(db: Executor, orgId: string) {
  return db.selectFrom('wallet_settings').selectAll().where('org_id', '=', orgId).executeTakeFirst();
}

/** Records what the pass shows now; `changedAt` is set only when the content changed. */
export async function setPassContentHash(db: Executor, orgId: string, customerId: string, contentHash: string, changedAt: Date | null): Promise<void> {
  await db
    .updateTable('wallet_passes')
    .set(changedAt ? { content_hash: contentHash, changed_at: changedAt } : { content_hash: contentHash })
    .where('org_id', '=', orgId)
    .where('customer_id', '=', customerId)
    .execute();
}

/** Moves the pass's change time forward (a message shown by the pass changes it without a content change). */
export async function touchPass(db: Executor, orgId: string, customerId: string, changedAt: Date): Promise<void> {
  await db.updateTable('wallet_passes').set({ changed_at: changedAt }).where('org_id', '=', orgId).where('customer_id', '=', customerId).execute();
}

/** Organizations among `orgIds` with Apple or Google Wallet configured. */
export async function orgsWithWallet(db: Executor, orgIds: readonly string[]): Promise<Set<string>> {
  if (orgIds.length === 0) return new Set();
  const apple = await db.selectFrom('wallet_apple_settings').select('org_id').where('org_id', 'in', [...orgIds]).execute();
  const google = await db.selectFrom('wallet_google_settings').select('org_id').where('org_id', 'in', [...orgIds]).execute();
  return new Set([...apple, ...google].map((r) => r.org_id));
}

export async function appleConfigured(db: Executor, orgId: string): Promise<boolean> {
  return (await db.selectFrom('wallet_apple_settings').select('org_id').where('org_id', '=', orgId).executeTakeFirst()) !== undefined;
}

export async function googleConfigured(db: Executor, orgId: string): Promise<boolean> {
  return (await db.selectFrom('wallet_google_settings').select('org_id').where('org_id', '=', orgId).executeTakeFirst()) !== undefined;
}

export async function appleDeviceCount(db: Executor, orgId: string, serial: string): Promise<number> {
  const row = await db
    .selectFrom('wallet_apple_registrations')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('org_id', '=', orgId)
    .where('serial_number', '=', serial)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function googleSaved(db: Executor, orgId: string, customerId: string): Promise<boolean> {
  const row = await db.selectFrom('wallet_google_objects').select('saved').where('org_id', '=', orgId).where('customer_id', '=', customerId).executeTakeFirst();
  return row?.saved ?? false;
}

export async function pushCounts(db: Executor, orgId: string, customerId: string): Promise<{ sent: number; failed: number }> {
  const rows = await db
    .selectFrom('wallet_pushes')
    .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
    .where('org_id', '=', orgId)
    .where('customer_id', '=', customerId)
    .where('status', 'in', ['sent', 'failed'])
    .groupBy('status')
    .execute();
  const of = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
  return { sent: of('sent'), failed: of('failed') };
}

export async function interactionCounts(db: Executor, orgId: string, customerId: string): Promise<{ scans: number; taps: number; lastScanAt: Date | null }> {
  const rows = await db
    .selectFrom('wallet_interactions')
    .select(['kind', (eb) => eb.fn.countAll<string>().as('n'), (eb) => eb.fn.max('created_at').as('last')])
    .where('org_id', '=', orgId)
    .where('customer_id', '=', customerId)
    .groupBy('kind')
    .execute();
  const scan = rows.find((r) => r.kind === 'scan');
  const tap = rows.find((r) => r.kind === 'tap');
  return { scans: Number(scan?.n ?? 0), taps: Number(tap?.n ?? 0), lastScanAt: scan?.last ? new Date(scan.last) : null };
}

/**
 * Records new content unless another delivery changed it first (compare and set on the hash):
 * true when this call made the change, so only one delivery tells the platforms.
 */
export async function swapPassContent(db: Executor, orgId: string, customerId: string, expectedHash: string | null, next: { hash: string; content: PassContent; at: Date }): Promise<boolean> {
  const res = await db
    .updateTable('wallet_passes')
    .set({ content_hash: next.hash, content: JSON.stringify(next.content), changed_at: next.at })
    .where('org_id', '=', orgId)
    .where('customer_id', '=', customerId)
    .where((eb) => (expectedHash === null ? eb('content_hash', 'is', null) : eb('content_hash', '=', expectedHash)))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function setNotifiedHash(db: Executor, orgId: string, customerId: string, hash: string): Promise<void> {
  await db.updateTable('wallet_passes').set({ notified_hash: hash }).where('org_id', '=', orgId).where('customer_id', '=', customerId).execute();
}

/** The message the pass shows from now on; the pass counts as changed. */
export async function setPassMessage(db: Executor, orgId: string, customerId: string, message: string, at: Date): Promise<void> {
  await db.updateTable('wallet_passes').set({ message, message_at: at, changed_at: at }).where('org_id', '=', orgId).where('customer_id', '=', customerId).execute();
}

/** The content first shown by a pass (a download before any change), when none is recorded yet. */
export async function recordFirstContent(db: Executor, orgId: string, customerId: string, hash: string, content: PassContent): Promise<void> {
  await db
    .updateTable('wallet_passes')
    .set({ content_hash: hash, notified_hash: hash, content: JSON.stringify(content) })
    .where('org_id', '=', orgId)
    .where('customer_id', '=', customerId)
    .where('content_hash', 'is', null)
    .execute();
}
