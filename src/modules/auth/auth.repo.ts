import type { Executor } from '../../db/tx.js';

export interface MembershipRow {
  org_id: string;
  org_slug: string;
  org_name: string;
  role: 'admin' | 'staff';
  permissions: string[];
}

export function findUserByEmail(db: Executor, email: string) {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'name', 'password_hash'])
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .executeTakeFirst();
}

export function listMemberships(db: Executor, userId: string): Promise<MembershipRow[]> {
  return db
    .selectFrom('org_members as m')
    .innerJoin('organizations as o', 'o.id', 'm.org_id')
    .select(['m.org_id', 'o.slug as org_slug', 'o.name as org_name', 'm.role', 'm.permissions'])
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
}

export async function deleteSession(db: Executor, tokenHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
}

export async function deleteUserSessions(db: Executor, userId: string): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
}

export function getFailures(db: Executor, keys: string[]) {
  return db.selectFrom('login_failures').selectAll().where('key', 'in', keys).execute();
}

/** Counts a failed login for each key, restarting the window when it has passed. */
export async function recordFailure(db: Executor, key: string, now: Date, windowMs: number): Promise<void> {
  const windowStart = new Date(now.getTime() - windowMs);
  await db
    .insertInto('login_failures')
    .values({ key, failures: 1, window_started_at: now })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet((eb) => ({
        failures: eb
          .case()
          .when('login_failures.window_started_at', '<', windowStart)
          .then(1)
          .else(eb('login_failures.failures', '+', 1))
          .end(),
        window_started_at: eb
          .case()
          .when('login_failures.window_started_at', '<', windowStart)
          .then(now)
          .else(eb.ref('login_failures.window_started_at'))
          .end(),
      })),
    )
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
