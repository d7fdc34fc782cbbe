import type { TierBasis, TierWindow } from '../../core/tiers.js';
import type { Timestamp } from '../../db/types.js';

export interface TierSettingsTable {
  org_id: string;
  basis: TierBasis;
  qualification_window: TierWindow;
  grace_days: number;
  updated_at: Timestamp;
}

export interface TiersTable {
  org_id: string;
  id: string;
  name: string;
  /** Basis units: points, minor units of the organization currency, or orders. */
  threshold: number;
  /** numeric(8,4), read as a decimal string. */
  earn_multiplier: string;
  birthday_points: number | null;
  entry_points: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TierManualFloorsTable {
  org_id: string;
  customer_id: string;
  tier_id: string;
  assigned_at: Timestamp;
}

export interface TierProgressAdjustmentsTable {
  org_id: string;
  id: string;
  customer_id: string;
  delta: number;
  reason: string;
  actor_type: string;
  actor_id: string | null;
  actor_name: string | null;
  created_at: Timestamp;
}

declare module '../../db/types.js' {
  interface DB {
    tier_settings: TierSettingsTable;
    tiers: TiersTable;
    tier_manual_floors: TierManualFloorsTable;
    tier_progress_adjustments: TierProgressAdjustmentsTable;
  }
}
