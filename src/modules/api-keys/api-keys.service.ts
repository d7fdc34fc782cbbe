import type { AppContext } from '../../context.js';
import { newId } from '../../db/ids.js';
import { AppError } from '../../errors.js';
import { randomToken, sha256 } from '../auth/passwords.js';
import { resolvePermissionList } from '../auth/permissions.js';

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

function toView(r: {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}): ApiKeyView {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    scopes: r.scopes,
    createdAt: r.created_at.toISOString(),
    lastUsedAt: r.last_used_at?.toISOString() ?? null,
    revokedAt: r.revoked_at?.toISOString() ?? null,
  };
}

/** Creates a key; the secret is returned once and only its SHA-256 is stored. */
export async function createApiKey(
  ctx: AppContext,
  orgId: string,
  input: { name: string; scopes: string[]; createdBy: string | null },
): Promise<{ apiKey: ApiKeyView; secret: string }> {
  const name = input.name.trim();
  if (!name || name.length > 100) throw AppError.validation('name', 'must be 1-100 characters');
  const resolved = resolvePermissionList(input.scopes);
  if (!resolved.ok) throw AppError.validation('scopes', `"${resolved.bad}" is not a permission or template name`);
  if (resolved.value.length === 0) throw AppError.validation('scopes', 'give at least one scope, e.g. customers:read');
  const id = newId();
  const secretPart = randomToken(32);
  const secret = `pk_${id}_${secretPart}`;
  const row = await ctx.db
    .insertInto('api_keys')
    .values({
      org_id: orgId,
      id,
      name,
      prefix: `pk_${id.slice(0, 8)}`,
      secret_hash: sha256(secretPart),
      scopes: resolved.value,
      created_by: input.createdBy,
      last_used_at: null,
      revoked_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { apiKey: toView(row), secret };
}

export async function listApiKeys(ctx: AppContext, orgId: string): Promise<ApiKeyView[]> {
  const rows = await ctx.db.selectFrom('api_keys').selectAll().where('org_id', '=', orgId).orderBy('created_at', 'desc').execute();
  return rows.map(toView);
}

export async function revokeApiKey(ctx: AppContext, orgId: string, id: string): Promise<ApiKeyView> {
  const row = await ctx.db
    .updateTable('api_keys')
    .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(ctx.clock.now())) }))
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw AppError.notFound('API key', id);
  return toView(row);
}
