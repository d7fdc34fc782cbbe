import type { Generated } from 'kysely';
import type { Timestamp } from '../../db/types.js';

export type EntryKind =
  | 'earn_order'
  | 'earn_rule'
  | 'manual_add'
  | 'manual_deduct'
  | 'redeem'
  | 'coupon_refund'
  | 'order_reversal'
  | 'rule_reversal'
  | 'expiry'
  | 'activation';

export interface ProgramSettingsTable {
  org_id: string;
  earn_rate: Generated<string>;
  rounding: Generated<'down' | 'up' | 'nearest'>;
  award_on: Generated<'paid' | 'fulfilled'>;
  pending_days: Generated<number>;
  expiry_policy: Generated<'none' | 'days_after_earning' | 'inactivity'>;
  expiry_days: number | null;
  reminder_days: number | null;
  clawback_policy: Generated<'clamp' | 'allow_negative'>;
  membership_mode: Generated<'automatic' | 'manual'>;
  guest_earning: Generated<boolean>;
  updated_at: Generated<Timestamp>;
}

export type OrderStatus = 'pending' | 'paid' | 'fulfilled' | 'cancelled';

export interface OrdersTable {
  org_id: string;
  id: string;
  external_id: string;
  /** The number the store shows ("#1001"); null when the store has none. */
  number: Generated<string | null>;
  customer_id: string;
  currency: string;
  total_minor: number;
  eligible_minor: number;
  refunded_minor: Generated<number>;
  /** The part of the eligible amount refunded so far (what refunds reverse points against). */
  eligible_refunded_minor: Generated<number>;
  status: OrderStatus;
  discount_codes: string[];
  placed_at: Timestamp;
  fulfilled_at: Timestamp | null;
  cancelled_at: Timestamp | null;
  points_earned: Generated<number>;
  points_reversed: Generated<number>;
  earn_rate: string | null;
  tier_multiplier: string | null;
  explanation: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface OrderRefundsTable {
  org_id: string;
  id: string;
  order_id: string;
  external_id: string;
  amount_minor: number;
  /** The eligible amount this refund took back; null for refunds recorded before it was kept. */
  eligible_minor: Generated<number | null>;
  points_reversed: number;
  reason: string | null;
  created_at: Timestamp;
}

export interface PointsEntriesTable {
  org_id: string;
  id: string;
  customer_id: string;
  kind: EntryKind;
  points: number;
  active_delta: number;
  pending_delta: number;
  reason: string;
  customer_message: string | null;
  visible_to_customer: boolean;
  counts_toward_tier: boolean;
  explanation: string;
  source_type: string | null;
  source_id: string | null;
  unique_key: string | null;
  actor_type: string;
  actor_id: string | null;
  actor_name: string | null;
  balance_after: number;
  created_at: Timestamp;
}

export interface PointsLotsTable {
  org_id: string;
  id: string;
  customer_id: string;
  entry_id: string;
  status: 'pending' | 'active' | 'cancelled';
  points: number;
  remaining: number;
  expires_at: Timestamp | null;
  activates_at: Timestamp | null;
  reminded_at: Timestamp | null;
  order_id: string | null;
  created_at: Timestamp;
}

export interface PointsAllocationsTable {
  org_id: string;
  entry_id: string;
  lot_id: string;
  points: number;
}

declare module '../../db/types.js' {
  interface DB {
    program_settings: ProgramSettingsTable;
    orders: OrdersTable;
    order_refunds: OrderRefundsTable;
    points_entries: PointsEntriesTable;
    points_lots: PointsLotsTable;
    points_allocations: PointsAllocationsTable;
  }
}
