import type { Timestamp } from '../../db/types.js';
import { newId } from '../../db/ids.js';
import type { Executor } from '../../db/tx.js';

export interface OutboundEventsTable {
  org_id: string;
  id: string;
  type: string;
  payload: string | Record<string, unknown>;
  created_at: Timestamp;
  delivered_at: Timestamp | null;
}

declare module '../../db/types.js' {
  interface DB {
    outbound_events: OutboundEventsTable;
  }
}

/** Records a domain event in the caller's transaction (ids only, no personal data). */
export async function emitEvent(db: Executor, e: { orgId: string; type: string; payload: Record<string, unknown>; at: Date }): Promise<void> {
  await db
    .insertInto('outbound_events')
    .values({ org_id: e.orgId, id: newId(e.at.getTime()), type: e.type, payload: JSON.stringify(e.payload), created_at: e.at, delivered_at: null })
    .execute();
}
