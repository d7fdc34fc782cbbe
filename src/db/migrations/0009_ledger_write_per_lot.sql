-- patron_ledger_write: sum the changes of one lot before updating it. An UPDATE ... FROM
-- with several source rows for the same lot applies only one of them, so a write that both
-- activated a lot and moved its remainder (paying back a debt) could lose a change.
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
end
$$;
