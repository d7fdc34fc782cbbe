import type { Timestamp } from '../../db/types.js';

export interface ReferralSettingsTable {
  org_id: string;
  /** Absolute http(s) URL where visitors land; null: the storefront URL, else "/". */
  landing_url: string | null;
  /** Public address that serves /r/{code} for this organization; null: PATRON_PUBLIC_URL. */
  storefront_url: string | null;
  updated_at: Timestamp;
}

/** Codes replaced by "regenerate": they land on the landing page, start nothing, and are never reused. */
export interface ReferralRetiredCodesTable {
  org_id: string;
  code_key: string;
  customer_id: string;
  retired_at: Timestamp;
}

export interface ReferralLinksTable {
  org_id: string;
  customer_id: string;
  code: string;
  code_key: string;
  status: 'active' | 'disabled';
  friend_discount_code: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ReferralClicksTable {
  org_id: string;
  id: string;
  referrer_customer_id: string;
  tracked: boolean;
  created_at: Timestamp;
}

export interface ReferralsTable {
  org_id: string;
  id: string;
  referrer_customer_id: string;
  friend_customer_id: string;
  click_id: string | null;
  status: 'pending' | 'completed';
  completed_order_id: string | null;
  reward_entry_id: string | null;
  reward_points: number;
  created_at: Timestamp;
  completed_at: Timestamp | null;
}

declare module '../../db/types.js' {
  interface DB {
    referral_settings: ReferralSettingsTable;
    referral_retired_codes: ReferralRetiredCodesTable;
    referral_links: ReferralLinksTable;
    referral_clicks: ReferralClicksTable;
    referrals: ReferralsTable;
  }
}
