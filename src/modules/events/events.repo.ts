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

export interface EventInput {
  orgId: string;
  type: string;
  payload: Record<string, unknown>;
  at: Date;
}

/** The stored row of an outbound event (also written in batch by the ledger). */
export function eventRow(e: EventInput) {
  return { org_id: e.orgId, id: newId(e.at.getTime()), type: e.type, payload: e.payload, created_at: e.at, delivered_at: null };
}

/** Records a domain event in the caller's transaction (ids only, no personal data). */
export async function emitEvent(db: Executor, e: EventInput): Promise<void> {
  const row = eventRow(e);
  await db
    .insertInto('outbound_events')
    .values({ ...row, payload: JSON.stringify(row.payload) })
    .execute();
}
