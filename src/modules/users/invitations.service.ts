import type { AppContext } from '../../context.js';
import { newId } from '../../db/ids.js';
import { isUniqueViolation, withTx, type Tx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import type { InvitationsTable } from '../../db/types.js';
import * as authRepo from '../auth/index.js';
import { hashPassword, randomToken, sha256, type AuthContext, type Role } from '../auth/index.js';
import * as repo from './invitations.repo.js';
import { normalizeEmail, normalizeName, validatePassword } from './people.js';
import * as usersRepo from './users.repo.js';
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

/** Open invitations of this organization (pending or expired; not accepted or revoked), newest first. */
export async function listInvitations(ctx: AppContext, orgId: string): Promise<InvitationView[]> {
  const now = ctx.clock.now();
  const rows = await repo.listOpenInvitations(ctx.db, orgId);
  return rows.map((r) => toView(r, now));
}

async function getInvitation(ctx: AppContext, orgId: string, id: string): Promise<InvitationView> {
  const row = await repo.findInvitation(ctx.db, orgId, id);
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
    const member = await usersRepo.findMemberByEmail(tx, orgId, email);
    if (member) {
      throw new AppError(
        'ALREADY_EXISTS',
        member.disabled_at
          ? `${email} already belongs to this organization but is disabled; re-enable them in the users list`
          : `${email} already has access to this organization; change their role in the users list`,
        { field: 'email' },
      );
    }
    await repo.revokeOpenInvitationsFor(tx, orgId, email, now);
    try {
      await repo.insertInvitation(tx, {
        org_id: orgId,
        id,
        email,
        role: input.role,
        permissions,
        token_hash: sha256(token),
        invited_by: invitedBy,
        created_at: now,
        expires_at: new Date(now.getTime() + INVITATION_TTL_MS),
      });
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
    await repo.revokeInvitation(ctx.db, orgId, id, ctx.clock.now());
  }
  return getInvitation(ctx, orgId, id);
}

/** Finds the invitation of a token, locked, and checks it can still be redeemed. */
async function openInvitation(tx: Tx, token: string, now: Date) {
  const row = await repo.lockInvitationByTokenHash(tx, sha256(token));
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
  await usersRepo.insertMembership(tx, { org_id: row.org_id, user_id: userId, role: row.role, permissions: row.permissions }, { ifAbsent: true });
  await repo.markAccepted(tx, row.org_id, row.id, userId, now);
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
    const person = await usersRepo.findPersonCredentials(tx, userId);
    if (!person) throw AppError.notFound('User', userId);
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
      if (await usersRepo.findPersonIdByEmail(tx, row.email)) throw alreadyHasSignIn();
      const userId = newId();
      await usersRepo.insertPerson(tx, { id: userId, email: row.email, name, password_hash: passwordHash, last_org_id: row.org_id });
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
