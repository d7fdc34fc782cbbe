import type { Actor } from '../../context.js';
import { newId } from '../../db/ids.js';
import type { Executor } from '../../db/tx.js';

export interface ActivityInput {
  orgId: string;
  customerId: string;
  type: string;
  actor: Actor;
  summary: string;
  payload?: Record<string, unknown>;
  at: Date;
}

/** Appends one timeline event; call it inside the transaction of the change it describes. */
export async function recordActivity(db: Executor, e: ActivityInput): Promise<string> {
  const id = newId(e.at.getTime());
  await db
    .insertInto('activity_events')
    .values({
      org_id: e.orgId,
      id,
      customer_id: e.customerId,
      type: e.type,
      actor_type: e.actor.type,
      actor_id: e.actor.id,
      actor_name: e.actor.name,
      summary: e.summary,
      payload: JSON.stringify(e.payload ?? {}),
      created_at: e.at,
    })
    .execute();
  return id;
}
