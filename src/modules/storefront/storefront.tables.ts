import type { Json, Timestamp } from '../../db/types.js';

/** How the widget looks and what it says; every field optional (the widget has defaults). */
export interface StorefrontTheme {
  primaryColor?: string;
  textColor?: string;
  backgroundColor?: string;
  position?: 'bottom-right' | 'bottom-left';
  launcherText?: string;
  title?: string;
  guestCtaText?: string;
  guestCtaUrl?: string;
}

export interface StorefrontSettingsTable {
  org_id: string;
  publishable_key: string;
  secret_sealed: string | null;
  secret_rotated_at: Timestamp | null;
  allowed_origins: string[];
  theme: Json<StorefrontTheme>;
  rate_per_ip_per_minute: number;
  rate_per_customer_per_minute: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface StorefrontRedemptionKeysTable {
  org_id: string;
  customer_id: string;
  idempotency_key: string;
  request_hash: string;
  reply: Json<Record<string, unknown>>;
  created_at: Timestamp;
}

export interface StorefrontRateLimitsTable {
  org_id: string;
  bucket: string;
  hits: number;
  window_started_at: Timestamp;
}

declare module '../../db/types.js' {
  interface DB {
    storefront_settings: StorefrontSettingsTable;
    storefront_redemption_keys: StorefrontRedemptionKeysTable;
    storefront_rate_limits: StorefrontRateLimitsTable;
  }
}
