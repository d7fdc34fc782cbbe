import type { Executor } from '../../db/tx.js';
import type { MembershipType } from '../../core/membership.js';

export async function setMembershipType(db: Executor, orgId: string, customerId: string, type: MembershipType, at: Date): Promise<void> {
  await db.updateTable('customers').set({ membership_type: type, updated_at: at }).where('org_id', '=', orgId).where('id', '=', customerId).execute();
}

/** Which of these ids are customers of the organization (the rest are reported as not found). */
export async function existingIds(db: Executor, orgId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('customers').select('id').where('org_id', '=', orgId).where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}
