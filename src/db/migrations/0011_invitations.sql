-- People join an organization by accepting an invitation; each organization changes only
-- its own membership of a person. Signing in opens the organization the person used last.

-- The organization a person last worked in (set on sign-in, switch and acceptance).
alter table users add column last_org_id text references organizations (id) on delete set null;

-- A single-use, expiring invitation. Only the SHA-256 of its token is stored; the token
-- itself is shown once to the inviting admin, who passes it on.
create table invitations (
  org_id text not null references organizations (id) on delete cascade,
  id text not null,
  email text not null,
  role text not null check (role in ('admin', 'staff')),
  permissions text[] not null default '{}',
  token_hash text not null,
  invited_by text references users (id) on delete set null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  accepted_at timestamptz,
  accepted_by text references users (id) on delete set null,
  revoked_at timestamptz,
  primary key (org_id, id)
);
-- Acceptance carries only the token; this non-unique index finds the row without the org.
create index invitations_token_idx on invitations (token_hash);
-- At most one open invitation per email and organization (a new one replaces it).
create unique index invitations_open_email_key on invitations (org_id, lower(email))
  where accepted_at is null and revoked_at is null;
