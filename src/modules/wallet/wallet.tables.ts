import type { ColumnType, Generated } from 'kysely';
import type { Json, Timestamp } from '../../db/types.js';

export interface WalletPassesTable {
  org_id: string;
  customer_id: string;
  serial_number: string;
  card_code: string;
  token_hash: string;
  token_sealed: string;
  content_hash: string | null;
  changed_at: Timestamp;
  created_at: Timestamp;
}

export interface WalletSettingsTable {
  org_id: string;
  terms: Generated<string>;
  mail_from: Generated<string>;
  background_color: Generated<string>;
  foreground_color: Generated<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WalletAppleSettingsTable {
  org_id: string;
  pass_type_id: string;
  team_id: string;
  certificate_pem: string;
  key_sealed: string;
  wwdr_pem: string;
  certificate_expires_at: Timestamp;
  self_signed: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WalletAppleRegistrationsTable {
  org_id: string;
  device_library_id: string;
  serial_number: string;
  push_token: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WalletGoogleSettingsTable {
  org_id: string;
  issuer_id: string;
  service_account_email: string;
  key_sealed: string;
  class_suffix: string;
  origins: Generated<string[]>;
  class_synced_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WalletGoogleObjectsTable {
  org_id: string;
  customer_id: string;
  object_id: string;
  saved: Generated<boolean>;
  synced_content_hash: string | null;
  synced_at: Timestamp | null;
  last_error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WalletCampaignsTable {
  org_id: string;
  id: string;
  name: string;
  message: string;
  segment_id: string | null;
  send_at: Timestamp;
  status: Generated<'scheduled' | 'sending' | 'sent' | 'cancelled'>;
  reached: Generated<number>;
  sent: Generated<number>;
  failed: Generated<number>;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  finished_at: Timestamp | null;
  /** 0029: the segment's filter when the campaign was created; null = every member. */
  audience: Json<Record<string, unknown>> | null;
  /** 0029: joined customers the campaign skipped (left the program, left the segment, cancelled). */
  skipped: Generated<number>;
}

export interface WalletPushesTable {
  org_id: string;
  id: string;
  customer_id: string;
  campaign_id: string | null;
  message: string;
  status: Generated<'created' | 'sent' | 'failed' | 'skipped'>;
  reason: string | null;
  apple_devices: Generated<number>;
  google: Generated<boolean>;
  created_by: string | null;
  created_at: Timestamp;
  finished_at: Timestamp | null;
  /** 0029: per platform, `sending` before it is called and its answer once done. */
  platforms: ColumnType<Record<string, PushPlatformOutcome>, string | undefined, string>;
}

/** What one platform did with a push (wallet_pushes.platforms). */
export interface PushPlatformOutcome {
  state: 'sending' | 'done';
  delivered?: number;
  failed?: number;
  reason?: string;
}

export interface WalletInteractionsTable {
  org_id: string;
  id: string;
  customer_id: string;
  kind: 'scan' | 'tap';
  platform: 'apple' | 'google' | null;
  location: string | null;
  device: string | null;
  created_at: Timestamp;
}

declare module '../../db/types.js' {
  interface DB {
    wallet_passes: WalletPassesTable;
    wallet_settings: WalletSettingsTable;
    wallet_apple_settings: WalletAppleSettingsTable;
    wallet_apple_registrations: WalletAppleRegistrationsTable;
    wallet_google_settings: WalletGoogleSettingsTable;
    wallet_google_objects: WalletGoogleObjectsTable;
    wallet_campaigns: WalletCampaignsTable;
    wallet_pushes: WalletPushesTable;
    wallet_interactions: WalletInteractionsTable;
  }
}
