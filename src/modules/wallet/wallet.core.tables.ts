import type { ColumnType } from 'kysely';
import type { Timestamp } from '../../db/types.js';
import type { PassContent } from './wallet.platforms.js';

/** Columns of wallet_passes added by migration 0027 (what platforms were last told, the last message). */
declare module './wallet.tables.js' {
  interface WalletPassesTable {
    content: ColumnType<PassContent | null, string | null | undefined, string | null>;
    notified_hash: ColumnType<string | null, string | null | undefined, string | null>;
    message: ColumnType<string | null, string | null | undefined, string | null>;
    message_at: ColumnType<Timestamp | null, Timestamp | null | undefined, Timestamp | null>;
  }
}
