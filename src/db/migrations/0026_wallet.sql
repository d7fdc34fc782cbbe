-- Wallet passes: an Apple Wallet store card and a Google Wallet loyalty object per member,
-- the devices that registered an Apple pass for updates, the messages (pushes) sent to
-- passes alone or in campaigns, and the scans and taps of a pass at a till or NFC reader.

-- One pass per customer, created when it is first asked for. `serial_number` names the pass
-- at Apple and Google (128 random bits); `card_code` is what the barcode carries and what a
-- scanner sends to POST /api/v1/scans (unique per organization). The pass token is both
-- Apple's `authenticationToken` and the customer's link to the pass web app (/c/{token}):
-- looked up by its SHA-256 (`token_hash`, across organizations like a publishable key) and
-- kept sealed (AES-256-GCM, PATRON_ENCRYPTION_KEY) to be written into the pass again.
-- `content_hash` is a hash of what the pass shows, so a change that does not alter it sends
-- nothing; `changed_at` is when it last changed (Apple's update tag and Last-Modified).
create table wallet_passes (
  org_id text not null,
  customer_id text not null,
  serial_number text not null,
  card_code text not null,
  token_hash text not null,
  token_sealed text not null,
  content_hash text,
  changed_at timestamptz not null,
  created_at timestamptz not null,
  primary key (org_id, customer_id),
  unique (org_id, serial_number),
  unique (org_id, card_code),
  foreign key (org_id, customer_id) references customers (org_id, id) on delete cascade
);
create index wallet_passes_token_hash_idx on wallet_passes (token_hash);
create index wallet_passes_changed_idx on wallet_passes (org_id, changed_at);

-- What every organization's passes say beyond the customer's own values, and the sender of
-- "send loyalty card" e-mails.
create table wallet_settings (
  org_id text not null references organizations (id) on delete cascade,
  -- Shown on the back of the pass; up to 2,000 characters.
  terms text not null default '',
  -- "Name <address>" or an address; empty means the server's PATRON_SMTP_FROM.
  mail_from text not null default '',
  -- Colors of the pass as #rrggbb.
  background_color text not null default '#1f2a44',
  foreground_color text not null default '#ffffff',
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id)
);

-- Apple: the organization's Pass Type ID certificate (PEM), its private key (sealed) and
-- Apple's WWDR intermediate (PEM). The same certificate and key sign passes and open the
-- TLS connection to APNs. `self_signed` marks a development set that iPhones refuse.
create table wallet_apple_settings (
  org_id text not null references organizations (id) on delete cascade,
  pass_type_id text not null,
  team_id text not null,
  certificate_pem text not null,
  key_sealed text not null,
  wwdr_pem text not null,
  certificate_expires_at timestamptz not null,
  self_signed boolean not null default false,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id)
);
-- The web service's URLs name the pass type: it finds its organization by it. One pass type
-- per organization; configuring one another organization already uses is refused (a tenant
-- unique key leads with org_id, so this index is not unique).
create index wallet_apple_settings_pass_type_idx on wallet_apple_settings (pass_type_id);

-- A device that added the pass and asked for updates (PassKit web service). A device may
-- register again (same key: the push token is replaced).
create table wallet_apple_registrations (
  org_id text not null,
  device_library_id text not null,
  serial_number text not null,
  push_token text not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, device_library_id, serial_number),
  foreign key (org_id, serial_number) references wallet_passes (org_id, serial_number) on delete cascade
);
create index wallet_apple_registrations_serial_idx on wallet_apple_registrations (org_id, serial_number);

-- Google: the issuer account and the service account that acts for it (its private key
-- sealed), and the loyalty class every member's object belongs to.
create table wallet_google_settings (
  org_id text not null references organizations (id) on delete cascade,
  issuer_id text not null,
  service_account_email text not null,
  key_sealed text not null,
  class_suffix text not null,
  -- Origins of the pages that show the "Save to Google Wallet" button.
  origins text[] not null default '{}',
  class_synced_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id)
);

-- The customer's loyalty object at Google: created or updated through the REST API.
-- `saved` is Google's `hasUsers` (someone saved the pass) as last read.
create table wallet_google_objects (
  org_id text not null,
  customer_id text not null,
  object_id text not null,
  saved boolean not null default false,
  synced_content_hash text,
  synced_at timestamptz,
  last_error text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, customer_id),
  unique (org_id, object_id),
  foreign key (org_id, customer_id) references customers (org_id, id) on delete cascade
);

-- Lengths and formats of what staff and readers send (names, messages, ids, tokens, where a
-- scan happened) are checked by the routes, which say which field is wrong.

-- A message to a segment's members (or to every member when segment_id is null), sent now
-- or at `send_at`. Counts are kept as the pushes settle.
create table wallet_campaigns (
  org_id text not null references organizations (id) on delete cascade,
  id text not null,
  name text not null,
  message text not null,
  segment_id text,
  send_at timestamptz not null,
  status text not null default 'scheduled' check (status in ('scheduled', 'sending', 'sent', 'cancelled')),
  reached integer not null default 0,
  sent integer not null default 0,
  failed integer not null default 0,
  created_by text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  finished_at timestamptz,
  primary key (org_id, id)
);
create index wallet_campaigns_due_idx on wallet_campaigns (status, send_at);

-- One message to one customer's passes (Apple: an update with a change message; Google: an
-- object message): created, then sent (at least one pass got it) or failed with the reason.
-- One push per customer per campaign, so a campaign resumed after a crash sends nobody twice.
create table wallet_pushes (
  org_id text not null,
  id text not null,
  customer_id text not null,
  campaign_id text,
  message text not null,
  status text not null default 'created' check (status in ('created', 'sent', 'failed')),
  reason text,
  apple_devices integer not null default 0,
  google boolean not null default false,
  created_by text,
  created_at timestamptz not null,
  finished_at timestamptz,
  primary key (org_id, id),
  foreign key (org_id, customer_id) references customers (org_id, id) on delete cascade
);
create index wallet_pushes_customer_idx on wallet_pushes (org_id, customer_id, created_at desc);
create unique index wallet_pushes_campaign_idx on wallet_pushes (org_id, campaign_id, customer_id) where campaign_id is not null;
create index wallet_pushes_pending_idx on wallet_pushes (org_id, status) where status = 'created';

-- A pass scanned at a till (POST /api/v1/scans) or tapped on an NFC reader. `platform` is the
-- wallet the pass was in when the reader says so. Taps of Apple and Google passes are the
-- profile's "clicks".
create table wallet_interactions (
  org_id text not null,
  id text not null,
  customer_id text not null,
  kind text not null check (kind in ('scan', 'tap')),
  platform text,
  location text,
  device text,
  created_at timestamptz not null,
  primary key (org_id, id),
  foreign key (org_id, customer_id) references customers (org_id, id) on delete cascade
);
create index wallet_interactions_customer_idx on wallet_interactions (org_id, customer_id, kind, created_at desc);
