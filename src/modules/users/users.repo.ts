import { cacheTag, invalidate } from '../../db/invalidation.js';
import type { Executor } from '../../db/tx.js';
import type { Role } from '../auth/index.js';

/** People (one sign-in each) and their memberships of organizations. */

export function findPersonIdByEmail(db: Executor, email: string) {
  return db
    .selectFrom('users')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .executeTakeFirst();
}

export function findPersonCredentials(db: Executor, userId: string) {
  return db.selectFrom('users').select(['id', 'email', 'password_hash']).where('id', '=', userId).executeTakeFirst();
}

export async function insertPerson(
  db: Executor,
  person: { id: string; email: string; name: string; password_hash: string; last_org_id?: string | null },
): Promise<void> {
  await db.insertInto('users').values(person).execute();
}

export async function updatePersonRow(
  db: Executor,
  userId: string,
  set: { name?: string; email?: string; password_hash?: string; updated_at?: Date },
): Promise<void> {
  await db.updateTable('users').set(set).where('id', '=', userId).execute();
  await invalidate(db, [cacheTag.user(userId)]);
}

function selectMembers(db: Executor, orgId: string) {
  return db
    .selectFrom('org_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.email', 'u.name', 'm.role', 'm.permissions', 'm.disabled_at', 'm.created_at'])
    .where('m.org_id', '=', orgId);
}

export function listMembers(db: Executor, orgId: string) {
  return selectMembers(db, orgId).orderBy('u.email').execute();
}

export function findMember(db: Executor, orgId: string, userId: string) {
  return selectMembers(db, orgId).where('m.user_id', '=', userId).executeTakeFirst();
}

export function findMemberByEmail(db: Executor, orgId: string, email: string) {
  return selectMembers(db, orgId)
    .where((eb) => eb(eb.fn('lower', ['u.email']), '=', email.toLowerCase()))
    .executeTakeFirst();
}

export interface Membership {
  org_id: string;
  user_id: string;
  role: Role;
  permissions: string[];
}

/** Adds a membership; a duplicate is a unique violation unless `ifAbsent`. */
export async function insertMembership(db: Executor, m: Membership, opts: { ifAbsent?: boolean } = {}): Promise<void> {
  const insert = db.insertInto('org_members').values({ ...m, disabled_at: null });
  await (opts.ifAbsent ? insert.onConflict((oc) => oc.columns(['org_id', 'user_id']).doNothing()) : insert).execute();
  await invalidate(db, [cacheTag.user(m.user_id)]);
}

export async function updateMembership(
  db: Executor,
  orgId: string,
  userId: string,
  set: { role?: Role; permissions?: string[]; disabled_at?: Date | null },
): Promise<void> {
  await db.updateTable('org_members').set(set).where('org_id', '=', orgId).where('user_id', '=', userId).execute();
  await invalidate(db, [cacheTag.user(userId)]);
}
