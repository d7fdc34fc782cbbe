-- Erasure must find every value that ever identified a customer, not only the current
-- one: an email replaced last year can still sit in an import file, a ledger reason or
-- another customer's note. Whenever a profile's email, phone or name changes, by any
-- path, the value it replaces is kept here. Staff never see this table; the data export
-- lists it, and the erasure (anonymize) uses it to find the old values, then deletes it.
create table customer_previous_values (
  org_id text not null,
  customer_id text not null,
  field text not null,
  value text not null,
  replaced_at timestamptz not null,
  primary key (org_id, customer_id, field, value),
  foreign key (org_id, customer_id) references customers (org_id, id) on delete cascade
);

create function patron_keep_previous_values() returns trigger language plpgsql as $$
begin
  insert into customer_previous_values (org_id, customer_id, field, value, replaced_at)
  select old.org_id, old.id, f.field, f.value, new.updated_at
  from (values
    ('email', old.email, new.email),
    ('phone', old.phone, new.phone),
    ('first_name', old.first_name, new.first_name),
    ('last_name', old.last_name, new.last_name)
  ) as f (field, value, next)
  where f.value is not null and f.value is distinct from f.next
  on conflict (org_id, customer_id, field, value) do update set replaced_at = excluded.replaced_at;
  return null;
end
$$;

-- The erasure's own update (anonymized_at set) keeps nothing.
create trigger customers_keep_previous_values
  after update of email, phone, first_name, last_name on customers
  for each row
  when (new.anonymized_at is null
        and (old.email, old.phone, old.first_name, old.last_name) is distinct from (new.email, new.phone, new.first_name, new.last_name))
  execute function patron_keep_previous_values();
