-- A connected platform whose requests a route verifier checked (a signed webhook, a pass
-- provider) acts as an `integration`; the timeline names it like any other actor.
alter table activity_events drop constraint activity_events_actor_type_check;
alter table activity_events add constraint activity_events_actor_type_check
  check (actor_type in ('user', 'api_key', 'system', 'customer', 'integration'));
