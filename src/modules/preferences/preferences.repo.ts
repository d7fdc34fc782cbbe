import type { Executor } from '../../db/tx.js';
import type { NotificationPrefs } from '../../db/types.js';

/** The customer's notification preferences, or undefined for an unknown customer. */
export function findPreferences(db: Executor, orgId: string, customerId: string) {
  return db.selectFrom('customers').select('notification_prefs').where('org_id', '=', orgId).where('id', '=', customerId).executeTakeFirst();
}

export async function writePreferences(db: Executor, orgId: string, customerId: string, prefs: NotificationPrefs, at: Date): Promise<void> {
  await db.updateTable('customers').set({ notification_prefs: JSON.stringify(prefs), updated_at: at }).where('org_id', '=', orgId).where('id', '=', customerId).execute();
}
