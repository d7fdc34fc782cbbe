import { cacheTag, invalidate } from '../../db/invalidation.js';
import type { Executor } from '../../db/tx.js';

export interface MembershipRow {
  org_id: string;
  org_slug: string;
  org_name: string;
  role: 'admin' | 'staff';
  permissions: string[];
  joined_at: Date;
}

export function findUserByEmail(db: Executor, email: string) {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'name', 'password_hash', 'last_org_id'])
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .executeTakeFirst();
}

export function listMemberships(db: Executor, userId: string): Promise<MembershipRow[]> {
  return db
    .selectFrom('org_members as m')
    .innerJoin('organizations as o', 'o.id', 'm.org_id')
    .select(['m.org_id', 'o.slug as org_slug', 'o.name as org_name', 'm.role', 'm.permissions', 'm.created_at as joined_at'])
    .where('m.user_id', '=', userId)
    .where('m.disabled_at', 'is', null)
    .orderBy('o.name')
    .execute();
}

export async function insertSession(
  db: Executor,
  row: { token_hash: string; user_id: string; active_org_id: string; csrf_token: string; expires_at: Date },
): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

export function findSession(db: Executor, tokenHash: string, now: Date) {
  return db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .innerJoin('org_members as m', (j) => j.onRef('m.user_id', '=', 's.user_id').onRef('m.org_id', '=', 's.active_org_id'))
    .select([
      's.token_hash',
      's.user_id',
      's.active_org_id',
      's.csrf_token',
      's.last_seen_at',
      's.expires_at',
      'u.email',
      'u.name',
      'm.role',
      'm.permissions',
    ])
    .where('s.token_hash', '=', tokenHash)
    .where('s.expires_at', '>', now)
    .where('m.disabled_at', 'is', null)
    .executeTakeFirst();
}

export async function touchSession(db: Executor, tokenHash: string, now: Date): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: now }).where('token_hash', '=', tokenHash).execute();
}

export async function setSessionOrg(db: Executor, tokenHash: string, orgId: string): Promise<void> {
  await db.updateTable('sessions').set({ active_org_id: orgId }).where('token_hash', '=', tokenHash).execute();
  await invalidate(db, [cacheTag.session(tokenHash)]);
}

export async function deleteSession(db: Executor, tokenHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
  await invalidate(db, [cacheTag.session(tokenHash)]);
}

/** Ends a person's sessions, all of them or all but one (the one changing a password). */
export async function deleteUserSessions(db: Executor, userId: string, exceptTokenHash?: string): Promise<void> {
  let q = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (exceptTokenHash) q = q.where('token_hash', '<>', exceptTokenHash);
  await q.execute();
  await invalidate(db, [cacheTag.user(userId)]);
}

/** Ends a person's sessions in one organization only (their membership there was disabled). */
export async function deleteOrgSessions(db: Executor, orgId: string, userId: string): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).where('active_org_id', '=', orgId).execute();
  await invalidate(db, [cacheTag.user(userId)]);
}

/** Remembers the organization a person worked in last; the next sign-in opens it. */
export async function setLastOrg(db: Executor, userId: string, orgId: string): Promise<void> {
  await db.updateTable('users').set({ last_org_id: orgId }).where('id', '=', userId).where((eb) => eb('last_org_id', 'is distinct from', orgId)).execute();
}

export interface AttemptCount {
  key: string;
  attempts: number;
  window_started_at: Date;
}

/**
 * Counts one sign-in attempt for each key (an email, a client address) in ONE statement,
 * before the password is checked, and returns the counts including this attempt. The
 * upsert is atomic per row, so N simultaneous attempts see N distinct counts and only
 * those within the limit go on to a password check. A window that has passed restarts.
 * Keys are locked in the order given; callers always pass the email key first.
 */
export async function takeAttempts(db: Executor, keys: string[], now: Date, windowMs: number): Promise<AttemptCount[]> {
  const windowStart = new Date(now.getTime() - windowMs);
  const rows = await db
    .insertInto('login_failures')
    .values(keys.map((key) => ({ key, failures: 1, window_started_at: now })))
    .onConflict((oc) =>
      oc.column('key').doUpdateSet((eb) => ({
        failures: eb
          .case()
          .when('login_failures.window_started_at', '<=', windowStart)
          .then(1)
          .else(eb('login_failures.failures', '+', 1))
          .end(),
        window_started_at: eb
          .case()
          .when('login_failures.window_started_at', '<=', windowStart)
          .then(now)
          .else(eb.ref('login_failures.window_started_at'))
          .end(),
      })),
    )
    .returning(['key', 'failures', 'window_started_at'])
    .execute();
  return rows.map((r) => ({ key: r.key, attempts: r.failures, window_started_at: r.window_started_at }));
}

/** Gives back an attempt that turned out to be a successful sign-in (same window only). */
export async function refundAttempt(db: Executor, key: string, windowStartedAt: Date): Promise<void> {
  await db
    .updateTable('login_failures')
    .set((eb) => ({ failures: eb('failures', '-', 1) }))
    .where('key', '=', key)
    .where('window_started_at', '=', windowStartedAt)
    .where('failures', '>', 0)
    .execute();
}

export async function clearFailures(db: Executor, key: string): Promise<void> {
  await db.deleteFrom('login_failures').where('key', '=', key).execute();
}

export function findApiKey(db: Executor, id: string) {
  return db
    .selectFrom('api_keys')
    .select(['org_id', 'id', 'name', 'secret_hash', 'scopes', 'revoked_at', 'last_used_at'])
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function touchApiKey(db: Executor, orgId: string, id: string, now: Date): Promise<void> {
  await db.updateTable('api_keys').set({ last_used_at: now }).where('org_id', '=', orgId).where('id', '=', id).execute();
}

/** The signed-in organization as the caller's own account shows it. */
export function findOrgSummary(db: Executor, orgId: string) {
  return db.selectFrom('organizations').select(['id', 'slug', 'name', 'currency', 'timezone']).where('id', '=', orgId).executeTakeFirstOrThrow();
}

/** The signed-in user as the caller's own account shows it. */
export function findUserSummary(db: Executor, userId: string) {
  return db.selectFrom('users').select(['id', 'email', 'name']).where('id', '=', userId).executeTakeFirst();
}
