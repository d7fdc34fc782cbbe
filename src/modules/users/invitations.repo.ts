import type { Insertable } from 'kysely';
import type { DB } from '../../db/types.js';
import type { Executor, Tx } from '../../db/tx.js';

/** The invitation's own columns, as every query of it reads them. */
const INVITATION_COLUMNS = [
  'i.org_id',
  'i.id',
  'i.email',
  'i.role',
  'i.permissions',
  'i.invited_by',
  'i.created_at',
  'i.expires_at',
  'i.accepted_at',
  'i.revoked_at',
] as const;

function selectInvitations(db: Executor, orgId: string) {
  return db
    .selectFrom('invitations as i')
    .leftJoin('users as u', 'u.id', 'i.invited_by')
    .select([...INVITATION_COLUMNS, 'u.name as inviter_name', 'u.email as inviter_email'])
    .where('i.org_id', '=', orgId);
}

/** Pending or expired (not accepted, not revoked), newest first. */
export function listOpenInvitations(db: Executor, orgId: string) {
  return selectInvitations(db, orgId)
    .where('i.accepted_at', 'is', null)
    .where('i.revoked_at', 'is', null)
    .orderBy('i.created_at', 'desc')
    .orderBy('i.id', 'desc')
    .execute();
}

export function findInvitation(db: Executor, orgId: string, id: string) {
  return selectInvitations(db, orgId).where('i.id', '=', id).executeTakeFirst();
}

export async function insertInvitation(db: Executor, row: Insertable<DB['invitations']>): Promise<void> {
  await db.insertInto('invitations').values(row).execute();
}

/** Revokes the open invitations of an email (a newer invitation replaces them). */
export async function revokeOpenInvitationsFor(db: Executor, orgId: string, email: string, at: Date): Promise<void> {
  await db
    .updateTable('invitations')
    .set({ revoked_at: at })
    .where('org_id', '=', orgId)
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .execute();
}

export async function revokeInvitation(db: Executor, orgId: string, id: string, at: Date): Promise<void> {
  await db
    .updateTable('invitations')
    .set({ revoked_at: at })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .execute();
}

/** The invitation of a token hash with its organization, locked until the transaction ends. */
export function lockInvitationByTokenHash(tx: Tx, tokenHash: string) {
  return tx
    .selectFrom('invitations as i')
    .innerJoin('organizations as o', 'o.id', 'i.org_id')
    .select([...INVITATION_COLUMNS, 'o.name as org_name', 'o.slug as org_slug'])
    .where('i.token_hash', '=', tokenHash)
    .forUpdate('i')
    .executeTakeFirst();
}

export async function markAccepted(db: Executor, orgId: string, id: string, userId: string, at: Date): Promise<void> {
  await db.updateTable('invitations').set({ accepted_at: at, accepted_by: userId }).where('org_id', '=', orgId).where('id', '=', id).execute();
}
