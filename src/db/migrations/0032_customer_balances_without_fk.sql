-- customer_balances is written only by the triggers on customers (0030), so its foreign key
-- to customers checked what the insert trigger had just read from customers. The check was
-- not only redundant but costly on the embedded database: a session keeps the foreign-key
-- check's plan, and one planned while customers was small scans the whole table for each
-- new row, so a 50,000-row insert took minutes instead of seconds. The cascade it gave
-- (a removed customer's row goes too) is kept by a statement-level delete trigger.
alter table customer_balances drop constraint customer_balances_org_id_customer_id_fkey;

create function patron_customer_balances_delete() returns trigger language plpgsql as $$
begin
  delete from customer_balances b using removed_customers o
   where b.org_id = o.org_id and b.customer_id = o.id;
  return null;
end
$$;
create trigger customers_balances_delete after delete on customers
  referencing old table as removed_customers
  for each statement execute function patron_customer_balances_delete();
