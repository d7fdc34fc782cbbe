-- What a pass showed when the wallet platforms were last told about it, so the next change
-- can say what changed (balance, tier, a new reward) and honour the customer's notification
-- preferences for each. `notified_hash` is the content hash the platforms were told about:
-- when it differs from `content_hash` after a crash, the update is sent again.
alter table wallet_passes add column content jsonb;
alter table wallet_passes add column notified_hash text;

-- The last message staff or a campaign sent to the pass, shown on its back (Apple) with a
-- change message so the device announces it.
alter table wallet_passes add column message text;
alter table wallet_passes add column message_at timestamptz;
