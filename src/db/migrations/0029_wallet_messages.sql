-- Messages to wallet passes: what each platform answered for a push, customers a campaign
-- skipped, and the audience a campaign was created for.

-- Per platform, what happened to a push: {"apple": {"state": "sending"}} is written before
-- the platform is called and {"apple": {"state": "done", "delivered": 2, "failed": 0}} once it
-- answered, each in its own transaction. A push resumed after a crash calls only platforms
-- with no entry, so no platform is ever asked twice for one push (a platform left "sending"
-- by the crash counts as not delivered, with the reason).
alter table wallet_pushes add column platforms jsonb not null default '{}';

-- `skipped`: a campaign's push that was not sent because the customer left the program, was
-- no longer in the segment, or the campaign was cancelled before it reached them.
alter table wallet_pushes drop constraint wallet_pushes_status_check;
alter table wallet_pushes add constraint wallet_pushes_status_check check (status in ('created', 'sent', 'failed', 'skipped'));

-- The segment's filter as it was when the campaign was created (editing or deleting the
-- segment later does not change whom it reaches; `segment_id` names where it came from),
-- null for every member; and how many joined customers it skipped.
alter table wallet_campaigns add column audience jsonb;
alter table wallet_campaigns add column skipped integer not null default 0;
create index wallet_pushes_campaign_pending_idx on wallet_pushes (org_id, campaign_id, customer_id) where status = 'created' and campaign_id is not null;
