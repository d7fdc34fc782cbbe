import type { Actor, AppContext } from '../../context.js';
import { cachedRead, cacheTag } from '../../db/invalidation.js';
import { AppError } from '../../errors.js';
import * as repo from './auth.repo.js';
import { constantTimeEqual, dummyPasswordHash, randomToken, sha256, verifyPassword } from './passwords.js';
import { effectivePermissions, type Permission, type Role } from './permissions.js';

export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;
const FAILURE_WINDOW_MS = 15 * 60 * 1000;
const MAX_FAILURES_PER_EMAIL = 5;
const MAX_FAILURES_PER_IP = 30;
const SESSION_TOUCH_MS = 60 * 1000;

/** What a request is allowed to do, inside exactly one organization. */
export interface AuthContext {
  via: 'session' | 'api_key';
  orgId: string;
  actor: Actor;
  role: Role | 'api_key';
  permissions: ReadonlySet<Permission>;
  userId: string | null;
  sessionTokenHash: string | null;
  csrfToken: string | null;
}

export interface LoginResult {
  token: string;
  csrfToken: string;
  userId: string;
  orgId: string;
}

/**
 * Signs a person in. The attempt is counted first, for the email and for the client
 * address, in one atomic statement; an attempt beyond either limit is refused without a
 * password check, so any number of simultaneous guesses get at most the limit of checks.
 * A successful sign-in gives its attempt back. The session opens the organization named
 * by `orgSlug`, else the one the person used last, else the one they joined first.
 */
export async function login(
  ctx: AppContext,
  input: { email: string; password: string; ip: string; orgSlug?: string | undefined },
): Promise<LoginResult> {
  const now = ctx.clock.now();
  const emailKey = `email:${input.email.trim().toLowerCase()}`;
  const ipKey = `ip:${input.ip}`;
  const counts = await repo.takeAttempts(ctx.db, [emailKey, ipKey], now, FAILURE_WINDOW_MS);
  for (const c of counts) {
    const limit = c.key === emailKey ? MAX_FAILURES_PER_EMAIL : MAX_FAILURES_PER_IP;
    if (c.attempts > limit) {
      const retryAfter = Math.max(1, Math.ceil((c.window_started_at.getTime() + FAILURE_WINDOW_MS - now.getTime()) / 1000));
      throw new AppError('TOO_MANY_REQUESTS', 'Too many failed sign-in attempts; wait a few minutes and try again', {
        retryAfterSeconds: retryAfter,
      });
    }
  }
  const user = await repo.findUserByEmail(ctx.db, input.email.trim());
  const ok = user
    ? await verifyPassword(input.password, user.password_hash)
    : await verifyPassword(input.password, await dummyPasswordHash()).then(() => false);
  const memberships = user && ok ? await repo.listMemberships(ctx.db, user.id) : [];
  if (!user || !ok || memberships.length === 0) {
    throw new AppError('INVALID_CREDENTIALS', 'Email or password is incorrect');
  }
  await repo.clearFailures(ctx.db, emailKey);
  const ipCount = counts.find((c) => c.key === ipKey);
  if (ipCount) await repo.refundAttempt(ctx.db, ipKey, ipCount.window_started_at);
  let chosen: repo.MembershipRow | undefined;
  if (input.orgSlug) {
    chosen = memberships.find((m) => m.org_slug === input.orgSlug);
    if (!chosen) throw AppError.notFound('Organization', input.orgSlug);
  } else {
    chosen = memberships.find((m) => m.org_id === user.last_org_id) ?? firstJoined(memberships);
  }
  return startSession(ctx, user.id, chosen.org_id);
}

/** The membership a person has held longest: never one chosen by another organization's name. */
function firstJoined(memberships: repo.MembershipRow[]): repo.MembershipRow {
  return memberships.reduce((a, b) =>
    a.joined_at.getTime() < b.joined_at.getTime() || (a.joined_at.getTime() === b.joined_at.getTime() && a.org_id < b.org_id) ? a : b,
  );
}

/** Opens a session for a person in one of their organizations and remembers it as their last. */
export async function startSession(ctx: AppContext, userId: string, orgId: string): Promise<LoginResult> {
  const now = ctx.clock.now();
  const token = randomToken();
  const csrfToken = randomToken(24);
  await repo.insertSession(ctx.db, {
    token_hash: sha256(token),
    user_id: userId,
    active_org_id: orgId,
    csrf_token: csrfToken,
    expires_at: new Date(now.getTime() + SESSION_TTL_MS),
  });
  await repo.setLastOrg(ctx.db, userId, orgId);
  return { token, csrfToken, userId, orgId };
}

export async function logout(ctx: AppContext, tokenHash: string): Promise<void> {
  await repo.deleteSession(ctx.db, tokenHash);
}

type SessionRow = NonNullable<Awaited<ReturnType<typeof repo.findSession>>>;
type ApiKeyRow = NonNullable<Awaited<ReturnType<typeof repo.findApiKey>>>;

/**
 * A session as requests resolve it, cached in process (`src/db/invalidation.ts`): signing out,
 * switching organization, a password or email change, a membership change or removal drop it
 * everywhere; its expiry is checked on every request.
 */
function findSessionCached(ctx: AppContext, tokenHash: string, now: Date) {
  return cachedRead(
    ctx.db,
    `session:${tokenHash}`,
    async () => {
      const row = await repo.findSession(ctx.db, tokenHash, now);
      return row ? { row, permissions: new Set(effectivePermissions(row.role, row.permissions)) } : undefined;
    },
    (s) => [cacheTag.session(tokenHash), cacheTag.user(s.row.user_id), cacheTag.org(s.row.active_org_id)],
  );
}

export async function authenticateSession(ctx: AppContext, token: string): Promise<AuthContext | null> {
  const now = ctx.clock.now();
  const tokenHash = sha256(token);
  const found = await findSessionCached(ctx, tokenHash, now);
  if (!found || found.row.expires_at.getTime() <= now.getTime()) return null;
  const s: SessionRow = found.row;
  if (now.getTime() - s.last_seen_at.getTime() > SESSION_TOUCH_MS) {
    await repo.touchSession(ctx.db, tokenHash, now);
    s.last_seen_at = now;
  }
  return {
    via: 'session',
    orgId: s.active_org_id,
    actor: { type: 'user', id: s.user_id, name: s.name || s.email },
    role: s.role,
    permissions: found.permissions,
    userId: s.user_id,
    sessionTokenHash: tokenHash,
    csrfToken: s.csrf_token,
  };
}

/** API keys look like `pk_<keyId>_<secret>`. */
export function parseApiKey(raw: string): { id: string; secret: string } | null {
  const m = /^pk_([0-9a-f-]{36})_([A-Za-z0-9_-]{20,})$/.exec(raw);
  return m ? { id: m[1]!, secret: m[2]! } : null;
}

/** An API key by id, cached in process; revoking it drops it everywhere. */
function findApiKeyCached(ctx: AppContext, id: string) {
  return cachedRead(
    ctx.db,
    `api_key:${id}`,
    async () => {
      const row = await repo.findApiKey(ctx.db, id);
      return row ? { row, permissions: new Set(effectivePermissions('staff', row.scopes)) } : undefined;
    },
    (k) => [cacheTag.apiKey(id), cacheTag.org(k.row.org_id)],
  );
}

export async function authenticateApiKey(ctx: AppContext, raw: string): Promise<AuthContext> {
  const parsed = parseApiKey(raw);
  const found = parsed ? await findApiKeyCached(ctx, parsed.id) : undefined;
  if (!parsed || !found || !constantTimeEqual(found.row.secret_hash, sha256(parsed.secret))) {
    throw new AppError('UNAUTHENTICATED', 'The API key is not valid');
  }
  const row: ApiKeyRow = found.row;
  if (row.revoked_at) throw new AppError('API_KEY_REVOKED', 'This API key was revoked; create a new key');
  const now = ctx.clock.now();
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > SESSION_TOUCH_MS) {
    await repo.touchApiKey(ctx.db, row.org_id, row.id, now);
    row.last_used_at = now;
  }
  return {
    via: 'api_key',
    orgId: row.org_id,
    actor: { type: 'api_key', id: row.id, name: `API key ${row.name}` },
    role: 'api_key',
    permissions: found.permissions,
    userId: null,
    sessionTokenHash: null,
    csrfToken: null,
  };
}

export async function switchOrganization(ctx: AppContext, auth: AuthContext, orgId: string): Promise<void> {
  if (!auth.userId || !auth.sessionTokenHash) {
    throw new AppError('PERMISSION_DENIED', 'Only a signed-in user can switch organization');
  }
  const memberships = await repo.listMemberships(ctx.db, auth.userId);
  if (!memberships.some((m) => m.org_id === orgId)) throw AppError.notFound('Organization', orgId);
  await repo.setSessionOrg(ctx.db, auth.sessionTokenHash, orgId);
  await repo.setLastOrg(ctx.db, auth.userId, orgId);
}

/** The organization as the caller's account shows it, cached in process (dropped when it changes). */
function orgSummaryCached(ctx: AppContext, orgId: string) {
  return cachedRead(ctx.db, `org_summary:${orgId}`, () => repo.findOrgSummary(ctx.db, orgId), () => [cacheTag.org(orgId)]);
}

/** A person's memberships with their organizations' names, cached in process. */
function membershipsCached(ctx: AppContext, userId: string) {
  return cachedRead(
    ctx.db,
    `memberships:${userId}`,
    () => repo.listMemberships(ctx.db, userId),
    (rows) => [cacheTag.user(userId), ...rows.map((m) => cacheTag.org(m.org_id))],
  );
}

function userSummaryCached(ctx: AppContext, userId: string) {
  return cachedRead(ctx.db, `user_summary:${userId}`, () => repo.findUserSummary(ctx.db, userId), () => [cacheTag.user(userId)]);
}

export async function describeMe(ctx: AppContext, auth: AuthContext) {
  // Independent reads, issued together (separate pool connections on PostgreSQL); usually all cached.
  const [org, memberships, user] = await Promise.all([
    orgSummaryCached(ctx, auth.orgId),
    auth.userId ? membershipsCached(ctx, auth.userId) : Promise.resolve([]),
    auth.userId ? userSummaryCached(ctx, auth.userId) : Promise.resolve(undefined),
  ]);
  return {
    actor: { type: auth.actor.type, id: auth.actor.id, name: auth.actor.name },
    user: user ? { id: user.id, email: user.email, name: user.name } : null,
    organization: { ...org },
    role: auth.role,
    permissions: [...auth.permissions].sort(),
    organizations: memberships.map((m) => ({ id: m.org_id, slug: m.org_slug, name: m.org_name, role: m.role })),
    csrfToken: auth.csrfToken,
  };
}
