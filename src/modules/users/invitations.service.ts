import type { AppContext } from '../../context.js';
import { newId } from '../../db/ids.js';
import { isUniqueViolation, withTx, type Executor, type Tx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import type { InvitationsTable } from '../../db/types.js';
import * as authRepo from '../auth/auth.repo.js';
import type { AuthContext } from '../auth/auth.service.js';
import { hashPassword, randomToken, sha256 } from '../auth/passwords.js';
import type { Role } from '../auth/permissions.js';
import { findPersonIdByEmail, normalizeEmail, normalizeName, validatePassword } from './people.js';
import { resolvePermissions } from './users.service.js';

/**
 * A person joins an organization only by accepting an invitation: a single-use token that
 * expires after seven days, of which only the SHA-256 is stored. The inviting admin gets
 * the token once (there is no email sending) and passes the link on. The invited person
 * redeems it while signed in (an existing person) or by choosing a password (a new one).
 * Creating an invitation answers the same whether or not the email already has a sign-in.
 */

export const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;
export const ACCEPT_PATH = '/invitations/accept';

export type InvitationStatus = 'pending' | 'expired' | 'accepted' | 'revoked';

export interface InvitationView {
  id: string;
  email: string;
  role: Role;
  permissions: string[];
  status: InvitationStatus;
  invitedBy: { id: string; name: string } | null;
  createdAt: string;
  expiresAt: string;
}

type InvitationRow = Pick<
  InvitationsTable,
  'org_id' | 'id' | 'email' | 'role' | 'permissions' | 'invited_by' | 'expires_at' | 'accepted_at' | 'revoked_at'
> & { created_at: Date };

function statusOf(row: InvitationRow, now: Date): InvitationStatus {
  if (row.accepted_at) return 'accepted';
  if (row.revoked_at) return 'revoked';
  return row.expires_at.getTime() <= now.getTime() ? 'expired' : 'pending';
}

function toView(row: InvitationRow & { inviter_name: string | null; inviter_email: string | null }, now: Date): InvitationView {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    permissions: row.role === 'admin' ? ['*'] : row.permissions,
    status: statusOf(row, now),
    invitedBy: row.invited_by ? { id: row.invited_by, name: row.inviter_name || row.inviter_email || '' } : null,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
  };
}

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
    .select([
      ...INVITATION_COLUMNS,
      'u.name as inviter_name',
      'u.email as inviter_email',
    ])
    .where('i.org_id', '=', orgId);
}

/** Open invitations of this organization (pending or expired; not accepted or revoked), newest first. */
export async function listInvitations(ctx: AppContext, orgId: string): Promise<InvitationView[]> {
  const now = ctx.clock.now();
  const rows = await selectInvitations(ctx.db, orgId)
    .where('i.accepted_at', 'is', null)
    .where('i.revoked_at', 'is', null)
    .orderBy('i.created_at', 'desc')
    .orderBy('i.id', 'desc')
    .execute();
  return rows.map((r) => toView(r, now));
}

async function getInvitation(ctx: AppContext, orgId: string, id: string): Promise<InvitationView> {
  const row = await selectInvitations(ctx.db, orgId).where('i.id', '=', id).executeTakeFirst();
  if (!row) throw AppError.notFound('Invitation', id);
  return toView(row, ctx.clock.now());
}

export interface CreatedInvitation {
  invitation: InvitationView;
  token: string;
  acceptPath: string;
  acceptUrl: string | null;
}

/**
 * Invites an email to this organization with a role. A newer invitation for the same email
 * replaces an open one (its link stops working). Refused only when the email already has
 * access to this organization, which this organization's admins can see anyway.
 */
export async function createInvitation(
  ctx: AppContext,
  orgId: string,
  invitedBy: string | null,
  input: { email: string; role: Role; permissions?: string[] | undefined },
): Promise<CreatedInvitation> {
  const email = normalizeEmail(input.email);
  const permissions = resolvePermissions(input.role, input.permissions);
  const now = ctx.clock.now();
  const token = randomToken(32);
  const id = newId();
  await withTx(ctx.db, async (tx) => {
    const member = await tx
      .selectFrom('org_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['m.disabled_at'])
      .where('m.org_id', '=', orgId)
      .where((eb) => eb(eb.fn('lower', ['u.email']), '=', email.toLowerCase()))
      .executeTakeFirst();
    if (member) {
      throw new AppError(
        'ALREADY_EXISTS',
        member.disabled_at
          ? `${email} already belongs to this organization but is disabled; re-enable them in the users list`
          : `${email} already has access to this organization; change their role in the users list`,
        { field: 'email' },
      );
    }
    await tx
      .updateTable('invitations')
      .set({ revoked_at: now })
      .where('org_id', '=', orgId)
      .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .execute();
    try {
      await tx
        .insertInto('invitations')
        .values({
          org_id: orgId,
          id,
          email,
          role: input.role,
          permissions,
          token_hash: sha256(token),
          invited_by: invitedBy,
          created_at: now,
          expires_at: new Date(now.getTime() + INVITATION_TTL_MS),
        })
        .execute();
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new AppError('CONFLICT', `Another invitation for ${email} was created at the same moment; list the invitations and retry if needed`, {
          field: 'email',
        });
      }
      throw err;
    }
  });
  const acceptPath = `${ACCEPT_PATH}#token=${token}`;
  const base = ctx.config.publicUrl?.replace(/\/+$/, '');
  return { invitation: await getInvitation(ctx, orgId, id), token, acceptPath, acceptUrl: base ? base + acceptPath : null };
}

/** Revokes an open invitation; its link stops working. Revoking twice is harmless. */
export async function revokeInvitation(ctx: AppContext, orgId: string, id: string): Promise<InvitationView> {
  const current = await getInvitation(ctx, orgId, id);
  if (current.status === 'accepted') {
    throw new AppError('CONFLICT', 'This invitation was already accepted; to remove that access, disable the user instead', { id });
  }
  if (current.status !== 'revoked') {
    await ctx.db
      .updateTable('invitations')
      .set({ revoked_at: ctx.clock.now() })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .execute();
  }
  return getInvitation(ctx, orgId, id);
}

/** Finds the invitation of a token, locked, and checks it can still be redeemed. */
async function openInvitation(tx: Tx, token: string, now: Date) {
  const row = await tx
    .selectFrom('invitations as i')
    .innerJoin('organizations as o', 'o.id', 'i.org_id')
    .select([
      ...INVITATION_COLUMNS,
      'o.name as org_name',
      'o.slug as org_slug',
    ])
    .where('i.token_hash', '=', sha256(token))
    .forUpdate('i')
    .executeTakeFirst();
  if (!row) {
    throw new AppError('NOT_FOUND', 'This invitation link is not valid; check that it was copied whole, or ask for a new invitation', {
      field: 'token',
    });
  }
  const status = statusOf(row, now);
  if (status === 'accepted') throw new AppError('RULE_REFUSED', 'This invitation was already used; sign in instead', { field: 'token', reason: 'used' });
  if (status === 'revoked') {
    throw new AppError('RULE_REFUSED', 'This invitation was revoked; ask an admin of the organization for a new one', { field: 'token', reason: 'revoked' });
  }
  if (status === 'expired') {
    throw new AppError('RULE_REFUSED', 'This invitation has expired; ask an admin of the organization for a new one', { field: 'token', reason: 'expired' });
  }
  return row;
}

function checkToken(token: string): void {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) {
    throw AppError.validation('token', 'must be the token from the invitation link (the part after "#token=")');
  }
}

export interface InvitationPreview {
  organization: { name: string; slug: string };
  email: string;
  role: Role;
  expiresAt: string;
}

/** What the holder of a link is invited to, for the acceptance page. */
export async function previewInvitation(ctx: AppContext, token: string): Promise<InvitationPreview> {
  checkToken(token);
  return withTx(ctx.db, async (tx) => {
    const row = await openInvitation(tx, token, ctx.clock.now());
    return { organization: { name: row.org_name, slug: row.org_slug }, email: row.email, role: row.role, expiresAt: row.expires_at.toISOString() };
  });
}

async function joinOrganization(tx: Tx, row: { org_id: string; id: string; role: Role; permissions: string[] }, userId: string, now: Date): Promise<void> {
  await tx
    .insertInto('org_members')
    .values({ org_id: row.org_id, user_id: userId, role: row.role, permissions: row.permissions, disabled_at: null })
    .onConflict((oc) => oc.columns(['org_id', 'user_id']).doNothing())
    .execute();
  await tx.updateTable('invitations').set({ accepted_at: now, accepted_by: userId }).where('org_id', '=', row.org_id).where('id', '=', row.id).execute();
}

/**
 * The signed-in person accepts an invitation sent to their email: they join the
 * organization, and this session switches to it. Returns the organization id.
 */
export async function acceptInvitation(ctx: AppContext, auth: AuthContext, token: string): Promise<string> {
  if (!auth.userId || !auth.sessionTokenHash) {
    throw new AppError('PERMISSION_DENIED', 'Only a signed-in person can accept an invitation; API keys cannot');
  }
  checkToken(token);
  const userId = auth.userId;
  const sessionHash = auth.sessionTokenHash;
  const now = ctx.clock.now();
  return withTx(ctx.db, async (tx) => {
    const row = await openInvitation(tx, token, now);
    const person = await tx.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirstOrThrow();
    if (person.email.toLowerCase() !== row.email.toLowerCase()) {
      throw new AppError(
        'PERMISSION_DENIED',
        'This invitation was sent to another email address; sign in as that person, or ask for an invitation to your own email',
        { field: 'token' },
      );
    }
    await joinOrganization(tx, row, userId, now);
    await authRepo.setSessionOrg(tx, sessionHash, row.org_id);
    await authRepo.setLastOrg(tx, userId, row.org_id);
    return row.org_id;
  });
}

/**
 * Someone new accepts an invitation by choosing a name and password: the person is created
 * with the invited email and joins the organization. Refused when the email already has a
 * sign-in (that person signs in and accepts instead; nobody's password is replaced).
 */
export async function registerWithInvitation(
  ctx: AppContext,
  input: { token: string; name?: string | undefined; password: string },
): Promise<{ userId: string; orgId: string }> {
  checkToken(input.token);
  validatePassword(input.password);
  const name = normalizeName(input.name ?? '');
  const passwordHash = await hashPassword(input.password);
  const now = ctx.clock.now();
  try {
    return await withTx(ctx.db, async (tx) => {
      const row = await openInvitation(tx, input.token, now);
      if (await findPersonIdByEmail(tx, row.email)) throw alreadyHasSignIn();
      const userId = newId();
      await tx.insertInto('users').values({ id: userId, email: row.email, name, password_hash: passwordHash, last_org_id: row.org_id }).execute();
      await joinOrganization(tx, row, userId, now);
      return { userId, orgId: row.org_id };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw alreadyHasSignIn();
    throw err;
  }
}

function alreadyHasSignIn(): AppError {
  return new AppError('ALREADY_EXISTS', 'This email already has a Patron sign-in: sign in with it, then accept the invitation', {
    field: 'token',
  });
}
