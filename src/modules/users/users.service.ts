import type { AppContext } from '../../context.js';
import { newId } from '../../db/ids.js';
import { isUniqueViolation, withTx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { DEFAULT_STAFF_PERMISSIONS, deleteOrgSessions, hashPassword, resolvePermissionList, type Role } from '../auth/index.js';
import { normalizeEmail, normalizeName, validatePassword } from './people.js';
import * as repo from './users.repo.js';

export { validatePassword } from './people.js';

export interface OrgUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  permissions: string[];
  disabled: boolean;
  createdAt: string;
}

export function resolvePermissions(role: Role, permissions: string[] | undefined): string[] {
  if (role === 'admin') return [];
  if (permissions === undefined) return [...DEFAULT_STAFF_PERMISSIONS];
  const resolved = resolvePermissionList(permissions);
  if (!resolved.ok) {
    throw AppError.validation('permissions', `"${resolved.bad}" is not a permission or template name`);
  }
  return resolved.value;
}

export async function listUsers(ctx: AppContext, orgId: string): Promise<OrgUser[]> {
  const rows = await repo.listMembers(ctx.db, orgId);
  return rows.map(toUser);
}

function toUser(r: { id: string; email: string; name: string; role: Role; permissions: string[]; disabled_at: Date | null; created_at: Date }): OrgUser {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role,
    permissions: r.role === 'admin' ? ['*'] : r.permissions,
    disabled: r.disabled_at !== null,
    createdAt: r.created_at.toISOString(),
  };
}

async function getUser(ctx: AppContext, orgId: string, userId: string): Promise<OrgUser> {
  const row = await repo.findMember(ctx.db, orgId, userId);
  if (!row) throw AppError.notFound('User', userId);
  return toUser(row);
}

/**
 * The operator's tool (`patron user create`, the demo seed): gives a person access to an
 * organization directly. A new email creates the person with the password; an existing
 * person keeps their password and name and gains the membership. Over HTTP, people join
 * another organization only by accepting an invitation (invitations.service.ts).
 */
export async function createUser(
  ctx: AppContext,
  orgId: string,
  input: { email: string; password: string; name?: string | undefined; role: Role; permissions?: string[] | undefined },
): Promise<OrgUser> {
  const email = normalizeEmail(input.email);
  validatePassword(input.password);
  const name = normalizeName(input.name ?? '');
  const permissions = resolvePermissions(input.role, input.permissions);
  const passwordHash = await hashPassword(input.password);
  const userId = await withTx(ctx.db, async (tx) => {
    const existing = await repo.findPersonIdByEmail(tx, email);
    const id = existing?.id ?? newId();
    if (!existing) {
      await repo.insertPerson(tx, { id, email, name, password_hash: passwordHash });
    }
    try {
      await repo.insertMembership(tx, { org_id: orgId, user_id: id, role: input.role, permissions });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new AppError('ALREADY_EXISTS', `${email} is already a user of this organization`, { field: 'email' });
      }
      throw err;
    }
    return id;
  });
  return getUser(ctx, orgId, userId);
}

/**
 * Changes this organization's membership of a person: role, permissions, disabled here.
 * Nothing about the person (name, email, password) and nothing in other organizations;
 * disabling ends only the sessions open in this organization.
 */
export async function updateUser(
  ctx: AppContext,
  orgId: string,
  actorUserId: string | null,
  userId: string,
  patch: { role?: Role | undefined; permissions?: string[] | undefined; disabled?: boolean | undefined },
): Promise<OrgUser> {
  const current = await getUser(ctx, orgId, userId);
  if (userId === actorUserId && (patch.disabled === true || patch.role === 'staff')) {
    throw new AppError('RULE_REFUSED', 'You cannot demote or disable yourself; ask another admin');
  }
  const role = patch.role ?? current.role;
  const set: { role?: Role; permissions?: string[]; disabled_at?: Date | null } = {};
  if (patch.role !== undefined || patch.permissions !== undefined) {
    set.role = role;
    set.permissions = resolvePermissions(role, patch.permissions ?? (current.role === 'staff' ? current.permissions : undefined));
  }
  if (patch.disabled !== undefined) set.disabled_at = patch.disabled ? (current.disabled ? undefined : ctx.clock.now()) : null;
  if (set.disabled_at === undefined) delete set.disabled_at;
  await withTx(ctx.db, async (tx) => {
    if (Object.keys(set).length > 0) {
      await repo.updateMembership(tx, orgId, userId, set);
    }
    if (patch.disabled) await deleteOrgSessions(tx, orgId, userId);
  });
  return getUser(ctx, orgId, userId);
}
