import type { Actor, AppContext } from '../../context.js';
import { withTx } from '../../db/tx.js';
import { recordActivity } from '../activity/index.js';
import { lockForChange } from '../customers/index.js';
import { writeNote } from './notes.repo.js';

const chars = (n: number) => `${n.toLocaleString('en-US')} character${n === 1 ? '' : 's'}`;

/**
 * Saves the internal note (staff only, never shown to the customer) with who changed it
 * and when; empty text clears it. The timeline keeps each version (erased on anonymization).
 */
export async function saveNote(ctx: AppContext, orgId: string, customerId: string, rawText: string, actor: Actor) {
  return withTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const customer = await lockForChange(tx, orgId, customerId);
    const text = rawText.trim() === '' ? null : rawText;
    if (text === customer.note_text) {
      return { note: text === null ? null : { text, updatedAt: customer.note_updated_at?.toISOString() ?? null, updatedBy: customer.note_updated_by } };
    }
    const row = await writeNote(tx, orgId, customerId, { text, by: actor.name, at: now });
    await recordActivity(tx, {
      orgId,
      customerId,
      type: text === null ? 'note.cleared' : 'note.updated',
      actor,
      summary: text === null ? 'Note cleared' : `Note ${customer.note_text === null ? 'added' : 'updated'} (${chars(text.length)})`,
      payload: { text, previousLength: customer.note_text?.length ?? 0 },
      at: now,
    });
    return { note: row.note_text === null ? null : { text: row.note_text, updatedAt: row.note_updated_at?.toISOString() ?? null, updatedBy: row.note_updated_by } };
  });
}
