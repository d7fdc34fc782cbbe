-- Requests to a customer's pass web app (/c/{token} and /api/v1/pass/{token}), counted per
-- pass and per client address in one-minute windows, so a leaked link or a script cannot
-- flood the customer's timeline with preference changes. Windows older than an hour are
-- deleted by the wallet.prune-link-hits job.
create table wallet_link_hits (
  org_id text not null references organizations (id) on delete cascade,
  bucket text not null,
  hits integer not null,
  window_started_at timestamptz not null,
  primary key (org_id, bucket)
);
