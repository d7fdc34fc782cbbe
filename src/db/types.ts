import type { ColumnType, Generated } from 'kysely';

/** Timestamps are read and written as Date. */
export type Timestamp = Date;
export type Json<T = unknown> = ColumnType<T, string, string>;

export interface OrganizationsTable {
  id: string;
  slug: string;
  name: string;
  currency: string;
  timezone: string;
  settings: Json<Record<string, unknown>>;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
}

export interface UsersTable {
  id: string;
  email: string;
  name: Generated<string>;
  password_hash: string;
  last_org_id: Generated<string | null>;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
}

export interface OrgMembersTable {
  org_id: string;
  user_id: string;
  role: 'admin' | 'staff';
  permissions: string[];
  disabled_at: Timestamp | null;
  created_at: Generated<Timestamp>;
}

export interface SessionsTable {
  token_hash: string;
  user_id: string;
  active_org_id: string;
  csrf_token: string;
  created_at: Generated<Timestamp>;
  last_seen_at: Generated<Timestamp>;
  expires_at: Timestamp;
}

export interface InvitationsTable {
  org_id: string;
  id: string;
  email: string;
  role: 'admin' | 'staff';
  permissions: string[];
  token_hash: string;
  invited_by: string | null;
  created_at: Generated<Timestamp>;
  expires_at: Timestamp;
  accepted_at: Timestamp | null;
  accepted_by: string | null;
  revoked_at: Timestamp | null;
}

export interface LoginFailuresTable {
  key: string;
  failures: number;
  window_started_at: Timestamp;
}

export interface ApiKeysTable {
  org_id: string;
  id: string;
  name: string;
  prefix: string;
  secret_hash: string;
  scopes: string[];
  created_by: string | null;
  created_at: Generated<Timestamp>;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export type JobStatus = 'queued' | 'running' | 'done' | 'dead';

export interface JobsTable {
  org_id: string;
  id: string;
  type: string;
  payload: Json<Record<string, unknown>>;
  status: Generated<JobStatus>;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  run_at: Generated<Timestamp>;
  locked_at: Timestamp | null;
  locked_by: string | null;
  last_error: string | null;
  dedupe_key: string | null;
  progress: Json<Record<string, unknown>> | null;
  result: Json<Record<string, unknown>> | null;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
}

export interface ScheduledRunsTable {
  name: string;
  last_run_at: Timestamp;
}

export interface IdempotencyKeysTable {
  org_id: string;
  key: string;
  method: string;
  path: string;
  request_hash: string;
  status: Generated<'in_progress' | 'done'>;
  response_status: number | null;
  response_body: Json<unknown> | null;
  response_raw: string | null;
  response_content_type: string | null;
  created_at: Generated<Timestamp>;
}

export type MembershipTypeColumn = 'member' | 'guest' | 'left';

export interface CustomersTable {
  org_id: string;
  id: string;
  external_id: string | null;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  birthday: string | null;
  anniversary: string | null;
  account_state: Generated<'registered' | 'guest'>;
  email_verified: Generated<boolean>;
  membership_type: Generated<MembershipTypeColumn>;
  points_active: Generated<number>;
  points_pending: Generated<number>;
  points_earned: Generated<number>;
  points_redeemed: Generated<number>;
  points_adjusted: Generated<number>;
  points_expired: Generated<number>;
  points_reversed: Generated<number>;
  orders_count: Generated<number>;
  lifetime_value_minor: Generated<number>;
  tier_id: string | null;
  tier_progress: Generated<number>;
  tier_manual: Generated<boolean>;
  tier_achieved_at: Timestamp | null;
  tier_qualifying_order_id: string | null;
  tier_updated_at: Timestamp | null;
  note_text: string | null;
  note_updated_at: Timestamp | null;
  note_updated_by: string | null;
  excluded_from_reports: Generated<boolean>;
  anonymized_at: Timestamp | null;
  notification_prefs: ColumnType<NotificationPrefs, string | undefined, string>;
  last_activity_at: Timestamp | null;
  last_synced_at: Timestamp | null;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
}

export interface NotificationPrefs {
  balance: boolean;
  location: boolean;
  marketing: boolean;
  tier: boolean;
  rewardAvailable: boolean;
}

export type ActorType = 'user' | 'api_key' | 'system' | 'customer' | 'integration';

export interface ActivityEventsTable {
  org_id: string;
  id: string;
  customer_id: string;
  type: string;
  actor_type: ActorType;
  actor_id: string | null;
  actor_name: string | null;
  summary: string;
  payload: Json<Record<string, unknown>>;
  created_at: Generated<Timestamp>;
}

/**
 * The database. Feature modules add their own tables to this interface with
 * declaration merging (`declare module '../../db/types.js' { interface DB { ... } }`)
 * in their `<feature>.tables.ts` file.
 */
export interface DB {
  organizations: OrganizationsTable;
  users: UsersTable;
  org_members: OrgMembersTable;
  sessions: SessionsTable;
  invitations: InvitationsTable;
  login_failures: LoginFailuresTable;
  api_keys: ApiKeysTable;
  jobs: JobsTable;
  scheduled_runs: ScheduledRunsTable;
  idempotency_keys: IdempotencyKeysTable;
  customers: CustomersTable;
  activity_events: ActivityEventsTable;
}
