import type { AppContext } from '../../context.js';
import { isUniqueViolation, withTx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import * as authRepo from '../auth/index.js';
import { hashPassword, verifyPassword } from '../auth/index.js';
import * as repo from './users.repo.js';

/**
 * A person: one sign-in (email, password, name) that may belong to several organizations.
 * Only the person changes these; organizations change only their own membership.
 */

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const FAILURE_WINDOW_MS = 15 * 60 * 1000;
const MAX_PASSWORD_CHECKS = 5;

export function validatePassword(password: string, field = 'password'): void {
  if (password.length < 10) throw AppError.validation(field, 'must be at least 10 characters');
  if (password.length > 200) throw AppError.validation(field, 'must be at most 200 characters');
}

/** The email as typed, trimmed, or a 400 naming the field. */
export function normalizeEmail(raw: string, field = 'email'): string {
  const email = raw.trim();
  if (!EMAIL.test(email) || email.length > 254) throw AppError.validation(field, 'must be an email address such as name@example.com');
  return email;
}

export function normalizeName(raw: string, field = 'name'): string {
  const name = raw.trim();
  if (name.length > 200) throw AppError.validation(field, 'must be at most 200 characters');
  return name;
}

/**
 * The signed-in person changes their own name, email or password. Email and password
 * need the current password (counted against the same limit as sign-in attempts); either
 * change ends the person's other sessions.
 */
export async function updatePerson(
  ctx: AppContext,
  userId: string,
  currentSessionHash: string | null,
  patch: { name?: string | undefined; email?: string | undefined; currentPassword?: string | undefined; newPassword?: string | undefined },
): Promise<void> {
  const person = await repo.findPersonCredentials(ctx.db, userId);
  if (!person) throw AppError.notFound('User', userId);
  const name = patch.name === undefined ? undefined : normalizeName(patch.name);
  const email = patch.email === undefined ? undefined : normalizeEmail(patch.email);
  const emailChanges = email !== undefined && email !== person.email;
  if (patch.newPassword !== undefined) validatePassword(patch.newPassword, 'newPassword');
  const sensitive = emailChanges || patch.newPassword !== undefined;
  if (sensitive) {
    if (!patch.currentPassword) {
      throw AppError.validation('currentPassword', 'is required to change your email or password; send your current password');
    }
    const now = ctx.clock.now();
    const [count] = await authRepo.takeAttempts(ctx.db, [`email:${person.email.toLowerCase()}`], now, FAILURE_WINDOW_MS);
    if (count && count.attempts > MAX_PASSWORD_CHECKS) {
      throw new AppError('TOO_MANY_REQUESTS', 'Too many wrong passwords; wait a few minutes and try again', {
        retryAfterSeconds: Math.max(1, Math.ceil((count.window_started_at.getTime() + FAILURE_WINDOW_MS - now.getTime()) / 1000)),
      });
    }
    if (!(await verifyPassword(patch.currentPassword, person.password_hash))) {
      throw AppError.validation('currentPassword', 'is not your current password');
    }
    await authRepo.clearFailures(ctx.db, `email:${person.email.toLowerCase()}`);
  }
  const passwordHash = patch.newPassword !== undefined ? await hashPassword(patch.newPassword) : undefined;
  const set: { name?: string; email?: string; password_hash?: string; updated_at?: Date } = {};
  if (name !== undefined) set.name = name;
  if (emailChanges) set.email = email;
  if (passwordHash !== undefined) set.password_hash = passwordHash;
  if (Object.keys(set).length === 0) return;
  set.updated_at = ctx.clock.now();
  try {
    await withTx(ctx.db, async (tx) => {
      await repo.updatePersonRow(tx, userId, set);
      if (sensitive) await authRepo.deleteUserSessions(tx, userId, currentSessionHash ?? undefined);
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new AppError('ALREADY_EXISTS', 'That email already belongs to another sign-in; choose another', { field: 'email' });
    }
    throw err;
  }
}
