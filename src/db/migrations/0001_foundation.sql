-- Foundation: organizations, people and access, jobs, idempotency.
-- Rule: every tenant table has org_id leading its primary key and every unique key;
-- foreign keys between tenant tables include org_id.

create extension if not exists pg_trgm;

create table organizations (
  id text primary key,
  slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name text not null check (length(name) between 1 and 200),
  currency char(3) not null,
  timezone text not null,
  settings jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- People sign in once and may belong to several organizations.
create table users (
  id text primary key,
  email text not null,
  name text not null default '',
  password_hash text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index users_email_key on users (lower(email));

create table org_members (
  org_id text not null references organizations (id) on delete cascade,
  user_id text not null references users (id) on delete cascade,
  role text not null check (role in ('admin', 'staff')),
  permissions text[] not null default '{}',
  disabled_at timestamptz,
  created_at timestamptz not null default now(),
  primary key (org_id, user_id)
);
create index org_members_user_idx on org_members (user_id);

create table sessions (
  token_hash text primary key,
  user_id text not null references users (id) on delete cascade,
  active_org_id text not null references organizations (id) on delete cascade,
  csrf_token text not null,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index sessions_user_idx on sessions (user_id);

create table login_failures (
  key text primary key,
  failures integer not null,
  window_started_at timestamptz not null
);

create table api_keys (
  org_id text not null references organizations (id) on delete cascade,
  id text not null,
  name text not null,
  prefix text not null,
  secret_hash text not null,
  scopes text[] not null default '{}',
  created_by text,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz,
  primary key (org_id, id)
);
-- Bearer tokens carry the key id; this non-unique index finds the row without the org.
create index api_keys_id_idx on api_keys (id);

create table jobs (
  org_id text not null references organizations (id) on delete cascade,
  id text not null,
  type text not null,
  payload jsonb not null default '{}'::jsonb,
  status text not null default 'queued' check (status in ('queued', 'running', 'done', 'dead')),
  attempts integer not null default 0,
  max_attempts integer not null default 8,
  run_at timestamptz not null default now(),
  locked_at timestamptz,
  locked_by text,
  last_error text,
  dedupe_key text,
  progress jsonb,
  result jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (org_id, id)
);
create index jobs_claim_idx on jobs (run_at) where status = 'queued';
create unique index jobs_dedupe_key on jobs (org_id, dedupe_key) where dedupe_key is not null;

-- Bookkeeping for the periodic scheduler (not tenant data).
create table scheduled_runs (
  name text primary key,
  last_run_at timestamptz not null
);

create table idempotency_keys (
  org_id text not null references organizations (id) on delete cascade,
  key text not null,
  method text not null,
  path text not null,
  request_hash text not null,
  status text not null default 'in_progress' check (status in ('in_progress', 'done')),
  response_status integer,
  response_body jsonb,
  created_at timestamptz not null default now(),
  primary key (org_id, key)
);
create index idempotency_keys_created_idx on idempotency_keys (created_at);
