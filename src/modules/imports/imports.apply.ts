import type { Actor, AppContext } from '../../context.js';
import { withTx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { adjustOnce } from '../points/index.js';
import { upsertCustomer, updateCustomerProfile } from '../customers/index.js';
import type { CustomerRow } from '../customers/index.js';
import type { ProgramSettings } from '../program/index.js';
import { assignTier } from '../tiers/index.js';
import * as repo from './imports.repo.js';
import type { CustomerRef, ParsedRow, RowError } from './imports.rows.js';

export interface ApplyContext {
  ctx: AppContext;
  orgId: string;
  importId: string;
  fileSha: string;
  actor: Actor;
  program: ProgramSettings;
  tiers: { byId: Map<string, string>; byName: Map<string, string> };
}

export type RowOutcome = 'applied' | 'unchanged' | RowError;

const refColumn = (ref: CustomerRef) => ('customerId' in ref ? 'customerId' : 'externalId');
const refText = (ref: CustomerRef) => ('customerId' in ref ? `id ${ref.customerId}` : `externalId ${ref.externalId}`);

async function customerOf(a: ApplyContext, ref: CustomerRef, row: number): Promise<CustomerRow | RowError> {
  const c = await repo.customerByRef(a.ctx.db, a.orgId, ref);
  return c ?? { row, column: refColumn(ref), problem: `no customer with ${refText(ref)} in this organization` };
}

export function tierIdOf(a: ApplyContext, tier: string): string | null {
  return a.tiers.byId.has(tier) ? tier : (a.tiers.byName.get(tier.toLowerCase()) ?? null);
}

/** Applies one valid row in its own transaction(s); a refusal becomes that row's error. */
export async function applyRow(a: ApplyContext, p: ParsedRow, row: number): Promise<RowOutcome> {
  try {
    return await applyParsed(a, p, row);
  } catch (err) {
    if (err instanceof AppError && err.status < 500) {
      const fields = err.details.fields as { field?: unknown }[] | undefined;
      const named = typeof err.details.field === 'string' ? err.details.field : typeof fields?.[0]?.field === 'string' ? fields[0].field : null;
      const column = err.code === 'POINTS_INSUFFICIENT' ? 'points' : named;
      return { row, column, problem: `${err.code}: ${err.message}` };
    }
    throw err;
  }
}

async function applyParsed(a: ApplyContext, p: ParsedRow, row: number): Promise<RowOutcome> {
  const { ctx, orgId, actor } = a;
  switch (p.kind) {
    case 'customers': {
      const existing = await repo.customerByRef(ctx.db, orgId, { externalId: p.input.externalId });
      if (existing) {
        const same =
          (p.input.email === undefined || p.input.email === existing.email) &&
          (p.input.firstName === undefined || p.input.firstName === existing.first_name) &&
          (p.input.lastName === undefined || p.input.lastName === existing.last_name) &&
          (p.input.phone === undefined || p.input.phone === existing.phone) &&
          (p.input.birthday === undefined || p.input.birthday === existing.birthday) &&
          (p.input.anniversary === undefined || p.input.anniversary === existing.anniversary) &&
          (p.input.accountState === undefined || p.input.accountState === existing.account_state) &&
          (p.input.emailVerified === undefined || p.input.emailVerified === existing.email_verified);
        if (same) return 'unchanged';
      }
      await upsertCustomer(ctx, orgId, p.input, actor);
      return 'applied';
    }
    case 'points': {
      const c = await customerOf(a, p.ref, row);
      if (!('id' in c)) return c;
      const { applied } = await withTx(ctx.db, (tx) =>
        adjustOnce(tx, ctx, a.program, {
          orgId,
          customerId: c.id,
          direction: p.points > 0 ? 'add' : 'deduct',
          points: Math.abs(p.points),
          reason: p.reason,
          customerMessage: p.customerMessage,
          uniqueKey: `import:${a.fileSha}:${row}`,
          via: 'CSV import',
          sourceType: 'import',
          sourceId: a.importId,
          actor,
          at: ctx.clock.now(),
        }),
      );
      return applied ? 'applied' : 'unchanged';
    }
    case 'birthdays': {
      const c = await customerOf(a, p.ref, row);
      if (!('id' in c)) return c;
      const patch = { ...(p.birthday !== undefined ? { birthday: p.birthday } : {}), ...(p.anniversary !== undefined ? { anniversary: p.anniversary } : {}) };
      if ((p.birthday === undefined || p.birthday === c.birthday) && (p.anniversary === undefined || p.anniversary === c.anniversary)) return 'unchanged';
      await updateCustomerProfile(ctx, orgId, c.id, patch, actor);
      return 'applied';
    }
    case 'tiers': {
      const tierId = tierIdOf(a, p.tier);
      if (!tierId) return { row, column: 'tier', problem: `no tier named or with id "${p.tier}"` };
      const c = await customerOf(a, p.ref, row);
      if (!('id' in c)) return c;
      if (c.tier_id === tierId && c.tier_manual && p.tierProgress === undefined) return 'unchanged';
      await assignTier(ctx, orgId, c.id, { tierId, tierProgress: p.tierProgress, reason: 'CSV import' }, actor, { text: true });
      return 'applied';
    }
  }
}
