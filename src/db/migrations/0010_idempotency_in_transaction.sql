-- Idempotency-Key claims now commit in the same transaction as the request's writes and
-- its stored reply, so a committed row is always a finished request. The reply is kept as
-- the exact bytes first sent (jsonb would reorder keys on replay).
alter table idempotency_keys add column response_raw text;
alter table idempotency_keys add column response_content_type text;
