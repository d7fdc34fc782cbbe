-- The outbox fans out to named consumers (outbound webhooks, marketing sync, wallet updates),
-- each with its own delivery state, so one consumer failing never holds back another.
-- outbound_events stays the log; each event names its catalog version.
alter table outbound_events add column version integer not null default 1;

-- One row per (event, consumer subscribed to its type), written in the event's transaction.
-- status: pending (waiting for next_attempt_at), delivered, dead (gave up after max attempts).
-- ordering_key (the customer the event is about) keeps deliveries to one consumer in order
-- per customer: a later event waits while an earlier one for the same customer is pending.
create table outbound_deliveries (
  org_id text not null,
  event_id text not null,
  consumer text not null,
  ordering_key text,
  status text not null default 'pending' check (status in ('pending', 'delivered', 'dead')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null,
  locked_until timestamptz,
  last_error text,
  delivered_at timestamptz,
  created_at timestamptz not null,
  primary key (org_id, event_id, consumer),
  foreign key (org_id, event_id) references outbound_events (org_id, id) on delete cascade
);
create index outbound_deliveries_due_idx on outbound_deliveries (next_attempt_at, event_id) where status = 'pending';
create index outbound_deliveries_order_idx on outbound_deliveries (consumer, org_id, ordering_key, event_id) where status = 'pending';

-- delivered_at on an event now means: every consumer's delivery finished (delivered or dead),
-- or no consumer was subscribed when it was emitted.
update outbound_events set delivered_at = created_at where delivered_at is null;

-- Committed deliveries wake the dispatcher at once (it also polls); notifications of one
-- transaction with the same payload are delivered once, at commit.
create or replace function patron_outbox_notify() returns trigger language plpgsql as $$
begin
  perform pg_notify('patron_outbox', '');
  return null;
end
$$;
create trigger outbound_deliveries_notify after insert on outbound_deliveries
  for each row execute function patron_outbox_notify();

-- patron_ledger_write: also writes the deliveries of the events passed with the entry.
create or replace function patron_ledger_write(b jsonb) returns void language plpgsql as $$
declare
  c jsonb := b -> 'customer';
begin
  insert into points_entries select * from jsonb_populate_recordset(null::points_entries, coalesce(b -> 'entries', '[]'));
  insert into points_lots select * from jsonb_populate_recordset(null::points_lots, coalesce(b -> 'lots', '[]'));
  update points_lots l
     set remaining = l.remaining + d.delta, status = coalesce(d.status, l.status)
    from (
      select x.org_id, x.id, sum(x.delta)::bigint as delta, max(x.status) as status
        from jsonb_to_recordset(coalesce(b -> 'lotDeltas', '[]')) as x(org_id text, id text, delta bigint, status text)
       group by x.org_id, x.id
    ) d
   where l.org_id = d.org_id and l.id = d.id;
  insert into points_allocations select * from jsonb_populate_recordset(null::points_allocations, coalesce(b -> 'allocations', '[]'));
  if c is not null then
    update customers
       set points_active = points_active + (c ->> 'active')::bigint,
           points_pending = points_pending + (c ->> 'pending')::bigint,
           points_earned = points_earned + (c ->> 'earned')::bigint,
           points_redeemed = points_redeemed + (c ->> 'redeemed')::bigint,
           points_adjusted = points_adjusted + (c ->> 'adjusted')::bigint,
           points_expired = points_expired + (c ->> 'expired')::bigint,
           points_reversed = points_reversed + (c ->> 'reversed')::bigint,
           last_activity_at = coalesce((c ->> 'activityAt')::timestamptz, last_activity_at),
           updated_at = (c ->> 'now')::timestamptz
     where org_id = c ->> 'orgId' and id = c ->> 'id';
  end if;
  insert into activity_events select * from jsonb_populate_recordset(null::activity_events, coalesce(b -> 'activity', '[]'));
  insert into outbound_events select * from jsonb_populate_recordset(null::outbound_events, coalesce(b -> 'events', '[]'));
  insert into outbound_deliveries (org_id, event_id, consumer, ordering_key, next_attempt_at, created_at)
    select x.org_id, x.event_id, x.consumer, x.ordering_key, x.next_attempt_at, x.created_at
      from jsonb_to_recordset(coalesce(b -> 'deliveries', '[]'))
        as x(org_id text, event_id text, consumer text, ordering_key text, next_attempt_at timestamptz, created_at timestamptz);
end
$$;
