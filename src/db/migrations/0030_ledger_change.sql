-- One statement for a whole ledger change (an adjustment-like credit to the active balance,
-- or a debit that is strict or may go negative): the customer row lock, the checks and the
-- write run in one function call, so a change costs one round trip and the row lock is held
-- for one statement (plus its commit) instead of across several round trips.
--
-- The application computes everything that does not depend on the customer's state (the
-- entry, the new lot or debt lot, the balance deltas, timeline and outbound events with
-- their deliveries); this function takes the lock, checks, picks the lots (debt lots paid
-- back oldest first by a credit; active lots consumed earliest expiry first, never-expiring
-- last, then oldest, then id by a debit) and writes. A refusal writes nothing and comes back
-- as data: change_outcome is
--   'applied'   the change was written; changed_customer is the row after it;
--   'missing'   no such customer (changed_customer is null);
--   'refused'   anonymized, membership guard, or (strict debit) not enough active points;
--               the application re-runs its checks on changed_customer for the exact error;
--   'duplicate' an entry with this unique key exists (the application reads it).
-- Timeline events passed with the change whose payload has a `balanceAfter` key get the
-- active balance after the change there; the entry's balance_after is set the same way.
create function patron_ledger_change(b jsonb, out change_outcome text, out changed_customer customers)
language plpgsql as $$
declare
  v_org text := b ->> 'orgId';
  v_customer_id text := b ->> 'customerId';
  v_op text := b ->> 'op';
  v_points bigint := (b ->> 'points')::bigint;
  v_entry_id text := b -> 'entry' ->> 'id';
  v_delta jsonb := b -> 'delta';
  v_active bigint;
  v_after bigint;
  v_left bigint;
  v_take bigint;
  v_filled bigint := 0;
  v_lot record;
begin
  if v_op is null or v_op not in ('credit', 'debit') or v_points is null or v_points <= 0 then
    raise exception 'patron_ledger_change: bad change (op %, points %)', v_op, v_points;
  end if;
  select * into changed_customer from customers c where c.org_id = v_org and c.id = v_customer_id for update;
  if not found then
    change_outcome := 'missing';
    changed_customer := null;
    return;
  end if;
  if changed_customer.anonymized_at is not null then
    change_outcome := 'refused';
    return;
  end if;
  if b ->> 'uniqueKey' is not null
     and exists (select 1 from points_entries e where e.org_id = v_org and e.unique_key = b ->> 'uniqueKey') then
    change_outcome := 'duplicate';
    return;
  end if;
  if (b ->> 'guard' = 'not_left' and changed_customer.membership_type = 'left')
     or (b ->> 'guard' = 'member' and changed_customer.membership_type <> 'member') then
    change_outcome := 'refused';
    return;
  end if;
  v_active := changed_customer.points_active;
  if v_op = 'debit' and b ->> 'mode' = 'strict' and v_points > v_active then
    change_outcome := 'refused';
    return;
  end if;
  v_after := v_active + case when v_op = 'credit' then v_points else -v_points end;

  insert into points_entries
    select * from jsonb_populate_record(null::points_entries, (b -> 'entry') || jsonb_build_object('balance_after', v_after));
  if v_op = 'credit' then
    -- Debt lots exist only while the active balance is negative.
    if v_active < 0 then
      for v_lot in
        select l.id, l.remaining from points_lots l
         where l.org_id = v_org and l.customer_id = v_customer_id and l.status = 'active' and l.remaining < 0
         order by l.created_at, l.id collate "C"
      loop
        v_take := least(v_points - v_filled, -v_lot.remaining);
        exit when v_take <= 0;
        update points_lots set remaining = remaining + v_take where org_id = v_org and id = v_lot.id;
        insert into points_allocations (org_id, entry_id, lot_id, points) values (v_org, v_entry_id, v_lot.id, v_take);
        v_filled := v_filled + v_take;
      end loop;
    end if;
    insert into points_lots
      select * from jsonb_populate_record(null::points_lots, (b -> 'lot') || jsonb_build_object('remaining', v_points - v_filled));
    insert into points_allocations (org_id, entry_id, lot_id, points) values (v_org, v_entry_id, b -> 'lot' ->> 'id', v_points - v_filled);
  else
    v_left := v_points;
    for v_lot in
      select l.id, l.remaining from points_lots l
       where l.org_id = v_org and l.customer_id = v_customer_id and l.status = 'active' and l.remaining > 0
       order by l.expires_at nulls last, l.created_at, l.id collate "C"
    loop
      v_take := least(v_left, v_lot.remaining);
      update points_lots set remaining = remaining - v_take where org_id = v_org and id = v_lot.id;
      insert into points_allocations (org_id, entry_id, lot_id, points) values (v_org, v_entry_id, v_lot.id, -v_take);
      v_left := v_left - v_take;
      exit when v_left = 0;
    end loop;
    if v_left > 0 then
      if b ->> 'mode' <> 'allow_negative' then
        raise exception 'patron_ledger_change: lots of customer % hold less than its active balance', v_customer_id;
      end if;
      -- The shortfall is a debt lot paid back by later credits.
      insert into points_lots
        select * from jsonb_populate_record(null::points_lots, (b -> 'debtLot') || jsonb_build_object('remaining', -v_left));
      insert into points_allocations (org_id, entry_id, lot_id, points) values (v_org, v_entry_id, b -> 'debtLot' ->> 'id', -v_left);
    end if;
  end if;

  update customers c
     set points_active = c.points_active + (v_delta ->> 'active')::bigint,
         points_pending = c.points_pending + (v_delta ->> 'pending')::bigint,
         points_earned = c.points_earned + (v_delta ->> 'earned')::bigint,
         points_redeemed = c.points_redeemed + (v_delta ->> 'redeemed')::bigint,
         points_adjusted = c.points_adjusted + (v_delta ->> 'adjusted')::bigint,
         points_expired = c.points_expired + (v_delta ->> 'expired')::bigint,
         points_reversed = c.points_reversed + (v_delta ->> 'reversed')::bigint,
         last_activity_at = coalesce((b ->> 'activityAt')::timestamptz, c.last_activity_at),
         updated_at = (b ->> 'now')::timestamptz
   where c.org_id = v_org and c.id = v_customer_id
  returning c.* into changed_customer;
  if changed_customer.points_active <> v_after then
    raise exception 'patron_ledger_change: balance deltas of customer % disagree with the change', v_customer_id;
  end if;

  insert into activity_events
    select * from jsonb_populate_recordset(null::activity_events, (
      select coalesce(jsonb_agg(case when a -> 'payload' ? 'balanceAfter'
                                     then jsonb_set(a, '{payload,balanceAfter}', to_jsonb(v_after)) else a end), '[]')
        from jsonb_array_elements(coalesce(b -> 'activity', '[]')) a));
  insert into outbound_events select * from jsonb_populate_recordset(null::outbound_events, coalesce(b -> 'events', '[]'));
  insert into outbound_deliveries (org_id, event_id, consumer, ordering_key, next_attempt_at, created_at)
    select x.org_id, x.event_id, x.consumer, x.ordering_key, x.next_attempt_at, x.created_at
      from jsonb_to_recordset(coalesce(b -> 'deliveries', '[]'))
        as x(org_id text, event_id text, consumer text, ordering_key text, next_attempt_at timestamptz, created_at timestamptz);
  change_outcome := 'applied';
end
$$;

-- Hot-update-friendly customer rows. Every ledger change updates the customer's cached
-- balances and last activity; with the grid's points and last-activity sort indexes on the
-- customers table, each such update was a non-HOT update inserting into all of its ~18
-- indexes. Those two sort keys now also live in customer_balances (a narrow row with three
-- indexes, kept equal to customers by the triggers below in the same transaction); the
-- customers table keeps the values (every reader still finds them there) but no index on
-- them, and leaves room on each page, so a ledger change updates the customer row in place
-- (HOT: no index entry) and the narrow row with three.
create table customer_balances (
  org_id text not null,
  customer_id text not null,
  points_active bigint not null,
  last_activity_at timestamptz,
  primary key (org_id, customer_id),
  foreign key (org_id, customer_id) references customers (org_id, id) on delete cascade
) with (fillfactor = 80);
insert into customer_balances (org_id, customer_id, points_active, last_activity_at)
  select org_id, id, points_active, last_activity_at from customers;
-- The grid's sort keys, with the exact expressions of src/modules/grid/grid.repo.ts.
create index customer_balances_points on customer_balances (org_id, points_active, customer_id);
create index customer_balances_activity on customer_balances (org_id, coalesce(last_activity_at, '-infinity'::timestamptz), customer_id);
drop index customers_grid_points;
drop index customers_grid_activity;
alter table customers set (fillfactor = 85);

create function patron_customer_balances_insert() returns trigger language plpgsql as $$
begin
  insert into customer_balances (org_id, customer_id, points_active, last_activity_at)
    select n.org_id, n.id, n.points_active, n.last_activity_at from inserted_customers n;
  return null;
end
$$;
create trigger customers_balances_insert after insert on customers
  referencing new table as inserted_customers
  for each statement execute function patron_customer_balances_insert();

create function patron_customer_balances_update() returns trigger language plpgsql as $$
begin
  update customer_balances
     set points_active = new.points_active, last_activity_at = new.last_activity_at
   where org_id = new.org_id and customer_id = new.id;
  return null;
end
$$;
create trigger customers_balances_update after update of points_active, last_activity_at on customers
  for each row
  when (old.points_active is distinct from new.points_active or old.last_activity_at is distinct from new.last_activity_at)
  execute function patron_customer_balances_update();
