import type { AppContext } from '../../context.js';
import { newId } from '../../db/ids.js';
import { AppError } from '../../errors.js';
import { randomToken, resolvePermissionList, sha256 } from '../auth/index.js';
import * as repo from './api-keys.repo.js';

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
  const row = await repo.insertApiKey(ctx.db, {
    org_id: orgId,
    id,
    name,
    prefix: `pk_${id.slice(0, 8)}`,
    secret_hash: sha256(secretPart),
    scopes: resolved.value,
    created_by: input.createdBy,
  });
  return { apiKey: toView(row), secret };
}

export async function listApiKeys(ctx: AppContext, orgId: string): Promise<ApiKeyView[]> {
  const rows = await repo.listApiKeys(ctx.db, orgId);
  return rows.map(toView);
}

export async function revokeApiKey(ctx: AppContext, orgId: string, id: string): Promise<ApiKeyView> {
  const row = await repo.revokeApiKey(ctx.db, orgId, id, ctx.clock.now());
  if (!row) throw AppError.notFound('API key', id);
  return toView(row);
}
