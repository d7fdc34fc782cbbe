import type { Executor } from '../../db/tx.js';

/** Writes the customer's note (null clears it) with who wrote it and when. */
export function writeNote(db: Executor, orgId: string, customerId: string, note: { text: string | null; by: string; at: Date }) {
  return db
    .updateTable('customers')
    .set({ note_text: note.text, note_updated_at: note.at, note_updated_by: note.by, updated_at: note.at })
    .where('org_id', '=', orgId)
    .where('id', '=', customerId)
    .returning(['note_text', 'note_updated_at', 'note_updated_by'])
    .executeTakeFirstOrThrow();
}
