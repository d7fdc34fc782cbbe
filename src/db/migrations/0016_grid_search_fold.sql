-- Accent-insensitive customer search ("Zoe" finds "Zoë", "Muller" finds "Müller") that also
-- matches the platform customer id, and import reports that count rows with errors.
--
-- patron_fold() is a deterministic, immutable folding written here (not the unaccent
-- extension, whose dictionary makes it only stable and which not every engine ships): Latin
-- letters with accents become their base letter, ß æ œ become ss ae oe, then lower case.
-- src/modules/grid/search-fold.ts holds the same table for the search terms; a test checks
-- that both fold every listed letter alike. The grid repeats these expressions verbatim
-- (src/modules/grid/grid.repo.ts): the planner only uses an expression index for the same expression.
create function patron_fold(t text) returns text
language sql immutable parallel safe
as $$
  select lower(replace(replace(replace(replace(replace(translate(t,
    'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžØøĐđĦħŁłıŦŧÐðĿŀ',
    'AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiiiinooooouuuuyyAaAaAaCcCcCcCcDdEeEeEeEeEeGgGgGgGgHhIiIiIiIiIJjKkLlLlLlNnNnNnOoOoOoRrRrRrSsSsSsSsTtTtUuUuUuUuUuUuWwYyYZzZzZzOoDdHhLliTtDdLl'),
    'ß', 'ss'), 'æ', 'ae'), 'Æ', 'AE'), 'œ', 'oe'), 'Œ', 'OE'))
$$;

-- The text substring search reads: name, email, phone as typed, phone digits, external id.
-- (Schema-qualified call: index builds run functions with a search path of pg_catalog only.)
create function patron_customer_search_text(first_name text, last_name text, email text, phone text, external_id text) returns text
language sql immutable parallel safe
as $$
  select public.patron_fold(coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(email, '') || ' ' || coalesce(phone, '')
    || ' ' || regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g') || ' ' || coalesce(external_id, ''))
$$;

-- Substring search (3+ characters), folded: replaces the lower()-only trigram index of 0007.
drop index customers_search_trgm;
create index customers_search_trgm on customers using gin (
  patron_customer_search_text(first_name, last_name, email, phone, external_id) gin_trgm_ops
);
-- Prefix search (1-2 characters) on folded names ("mu" finds "Müller").
drop index customers_first_name_prefix;
drop index customers_last_name_prefix;
create index customers_first_name_prefix on customers (org_id, patron_fold(first_name) text_pattern_ops);
create index customers_last_name_prefix on customers (org_id, patron_fold(last_name) text_pattern_ops);

-- Imports: rows that had at least one error (a row with two bad cells is one row).
alter table imports add column rows_with_errors integer not null default 0;
update imports i set rows_with_errors = (
  select count(distinct (e ->> 'row')) from jsonb_array_elements(i.errors) e
) where error_count > 0;
