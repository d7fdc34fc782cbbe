import type { components } from './generated/schema.js';

/** Shapes the admin reads. Generated ones come from the OpenAPI document; the rest follow API.md. */
export type Me = components['schemas']['Me'];
export type User = components['schemas']['User'];
export type Invitation = components['schemas']['Invitation'];
export type ApiKey = components['schemas']['ApiKey'];
export type Organization = components['schemas']['Organization'];
export type Permission = Me['permissions'][number];

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Money {
  amount: string;
  currency: string;
}

export type MembershipType = 'member' | 'guest' | 'left';
export type AccountState = 'registered' | 'guest';

export type Balances = components['schemas']['Balances'];
export type Customer = components['schemas']['Customer'];
export type CustomerTier = NonNullable<Customer['tier']>;
export type NotificationPreferences = Customer['notificationPreferences'];

export interface Actor {
  type: string;
  id: string | null;
  name: string | null;
}

export interface ReferralStats {
  pending: number;
  completed: number;
  conversionRate: number;
}

/** One row of the grid (normalized in customers.ts from whatever the list endpoint replies). */
export interface CustomerRow {
  id: string;
  name: string;
  email: string | null;
  membershipType: MembershipType;
  accountState: AccountState;
  points: number;
  tier: { id: string; name: string } | null;
  tierProgress: string | null;
  birthday: string | null;
  tierUpdatedAt: string | null;
  updatedAt: string | null;
  anonymized: boolean;
  /** Left out of the analytics cards and of exports by default. */
  excludedFromReports: boolean;
}

export type LedgerEntry = components['schemas']['LedgerEntry'];
export type AdjustmentResult = components['schemas']['AdjustmentResult'];

export interface AdjustmentInput {
  direction: 'add' | 'deduct';
  points: number;
  reason: string;
  customerMessage?: string;
  visibleToCustomer?: boolean;
  countsTowardTier?: boolean;
}

export type ActivityEvent = components['schemas']['ActivityEvent'];
export type ReferralLink = components['schemas']['ReferralLink'];
export type EarningRule = components['schemas']['EarningRule'];
export type TierSettings = components['schemas']['TierSettings'];
export type TierBasis = TierSettings['basis'];

export type Order = components['schemas']['Order'];
export type ProgramSettings = components['schemas']['ProgramSettings'];

export type Coupon = components['schemas']['Coupon'];
export type CouponStatus = Coupon['status'];
export type CouponResult = components['schemas']['CouponResult'];
export type Reward = components['schemas']['Reward'];
export type RewardType = Reward['type'];
export type Job = components['schemas']['Job'];
export type Segment = components['schemas']['Segment'];
export type SegmentFilter = Segment['filter'];
export type CustomerGridRow = components['schemas']['CustomerGridRow'];
export type GridTotal = components['schemas']['GridTotal'];

export type Tier = components['schemas']['Tier'];

export type Analytics = components['schemas']['CustomerAnalytics'];

export type ImportRun = components['schemas']['Import'];
export type ImportDryRun = components['schemas']['ImportDryRun'];
export type ImportRowError = components['schemas']['ImportRowError'];
export type ImportKind = ImportRun['kind'];
