import type { Timestamp } from '../../db/types.js';

/** Requests to a pass web app per pass and per client address, in one-minute windows (0031). */
export interface WalletLinkHitsTable {
  org_id: string;
  bucket: string;
  hits: number;
  window_started_at: Timestamp;
}

declare module '../../db/types.js' {
  interface DB {
    wallet_link_hits: WalletLinkHitsTable;
  }
}
