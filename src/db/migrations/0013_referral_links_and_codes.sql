-- Referral links: the public address they are built from, where they land, codes that were
-- replaced, and friend discount codes unique per organization.

-- The organization's storefront URL: referral links are {storefront_url}/r/{code} (the store
-- forwards /r/ to Patron), else PATRON_PUBLIC_URL. Never the Host header of a request.
alter table referral_settings add column storefront_url text;

-- A landing URL is an absolute http(s) URL. Earlier relative values ("/", or "/\evil.example",
-- which browsers follow to another site) are dropped: such links land on the storefront URL,
-- or on "/" of the address the link was opened on.
alter table referral_settings alter column landing_url drop not null;
update referral_settings
   set landing_url = null
 where landing_url !~* '^https?://[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?([/?#][^[:space:][:cntrl:]\\]*)?$';

-- Codes replaced by "regenerate": a visit still lands on the organization's landing page (but
-- starts no referral), and a retired code is never handed to another link.
create table referral_retired_codes (
  org_id text not null,
  code_key text not null,
  customer_id text not null,
  retired_at timestamptz not null,
  primary key (org_id, code_key),
  foreign key (org_id, customer_id) references customers (org_id, id) on delete cascade
);
-- /r/{code} carries no organization (codes are checked against every organization when generated).
create index referral_retired_codes_lookup_idx on referral_retired_codes (code_key);

-- One friend discount code per organization (compared without case, as stores do). Earlier
-- duplicates: the first holder keeps the code, later holders lose it, noted in their timeline.
with ranked as (
  select org_id, customer_id, friend_discount_code as code,
         row_number() over (partition by org_id, upper(friend_discount_code) order by updated_at, customer_id) as n
    from referral_links
   where friend_discount_code is not null
), cleared as (
  update referral_links l
     set friend_discount_code = null, updated_at = now()
    from ranked r
   where r.n > 1 and l.org_id = r.org_id and l.customer_id = r.customer_id
  returning l.org_id, l.customer_id, r.code
)
insert into activity_events (org_id, id, customer_id, type, actor_type, actor_id, actor_name, summary, payload, created_at)
select org_id, gen_random_uuid()::text, customer_id, 'referral.discount_code_changed', 'system', null, 'Patron',
       'Friend discount code ' || code || ' cleared: another customer of this organization already holds it; set a new one',
       jsonb_build_object('previous', code, 'code', null, 'reason', 'held by another customer'), now()
  from cleared;
create unique index referral_links_friend_code_key on referral_links (org_id, upper(friend_discount_code)) where friend_discount_code is not null;

-- Tier progress has one representation everywhere the API shows it: for an amount-spent basis
-- the decimal money string of the organization currency ("110.50"), not minor units (11050).
-- Timeline payloads written before keep the change in that representation too.
with exponents as (
  select id as org_id,
         case
           when trim(currency) in ('BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF') then 0
           when trim(currency) in ('BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND') then 3
           when trim(currency) in ('CLF', 'UYW') then 4
           else 2
         end as e
    from organizations
)
update activity_events a
   set payload = a.payload || jsonb_build_object(
         'previousProgress', round((a.payload ->> 'previousProgress')::numeric / power(10::numeric, x.e), x.e)::text,
         'progress', round((a.payload ->> 'progress')::numeric / power(10::numeric, x.e), x.e)::text)
  from exponents x
 where a.org_id = x.org_id
   and a.type in ('tier.progress_set', 'tier.recalculated')
   and a.payload ->> 'basis' = 'amount_spent'
   and jsonb_typeof(a.payload -> 'progress') = 'number'
   and jsonb_typeof(a.payload -> 'previousProgress') = 'number';
