-- ota_webhook_claim: the webhook worker's claim, in one round trip (migration 0014).
-- Takes up to p_limit due deliveries for p_worker, at most p_per_endpoint in flight per
-- endpoint across all workers, leases them for p_lease_seconds, opens their attempt rows
-- (in_progress) and returns what the worker needs to send them. Called as one autocommit
-- statement: the claim is committed before any HTTP request starts.
--
-- Concurrency: a claimer locks an endpoint row with SKIP LOCKED (so it never waits; the
-- endpoint is left to whoever holds it) and only then counts that endpoint's deliveries in
-- flight. Each statement of a volatile PL/pgSQL function takes a new snapshot, so the
-- count sees every claim committed before the lock was granted: the bound is exact.
-- Delivery rows are taken with SKIP LOCKED too, so two workers never claim the same one.
--
-- A lease that ran out belongs to a worker that died or lost its database: its attempt is
-- marked lost and the delivery is due again at once (delivered at least once).
CREATE OR REPLACE FUNCTION ota_webhook_claim(p_worker text, p_limit integer, p_per_endpoint integer,
                                             p_lease_seconds integer)
RETURNS TABLE (delivery_id text, attempt integer, event_id text, event_type text, event_created_at timestamptz,
               data text, endpoint_id text, url text, secret_sealed bytea, secret_key_id text,
               previous_secret_sealed bytea, previous_secret_key_id text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    ep record;
    busy integer;
    room integer;
    taken integer := 0;
    n integer;
BEGIN
    WITH lapsed AS (
        SELECT d.delivery_id FROM webhook_deliveries d
         WHERE d.status = 'delivering' AND d.lease_until < now()
           FOR UPDATE SKIP LOCKED
    ), released AS (
        UPDATE webhook_deliveries d
           SET status = 'pending', lease_until = NULL, leased_by = NULL, next_attempt_at = now(), updated_at = now(),
               last_error = 'no result recorded: the worker stopped or lost its database during the attempt'
          FROM lapsed WHERE d.delivery_id = lapsed.delivery_id
        RETURNING d.delivery_id, d.attempts
    )
    UPDATE webhook_attempts a
       SET outcome = 'lost', finished_at = now(),
           error = 'no result recorded: the worker stopped or lost its database during the attempt'
      FROM released r
     WHERE a.delivery_id = r.delivery_id AND a.attempt = r.attempts AND a.outcome = 'in_progress';

    FOR ep IN
        SELECT d.endpoint_id, min(d.next_attempt_at) AS due
          FROM webhook_deliveries d JOIN webhook_endpoints e ON e.endpoint_id = d.endpoint_id AND e.status = 'enabled'
         WHERE d.status = 'pending' AND d.next_attempt_at <= now()
         GROUP BY d.endpoint_id
         ORDER BY due
         LIMIT 200
    LOOP
        EXIT WHEN taken >= p_limit;
        PERFORM 1 FROM webhook_endpoints e
          WHERE e.endpoint_id = ep.endpoint_id AND e.status = 'enabled'
            FOR UPDATE SKIP LOCKED;
        CONTINUE WHEN NOT FOUND;
        SELECT count(*) INTO busy FROM webhook_deliveries d
         WHERE d.endpoint_id = ep.endpoint_id AND d.status = 'delivering';
        room := least(p_per_endpoint - busy, p_limit - taken);
        CONTINUE WHEN room <= 0;
        RETURN QUERY
        WITH picked AS (
            SELECT d.delivery_id FROM webhook_deliveries d
             WHERE d.endpoint_id = ep.endpoint_id AND d.status = 'pending' AND d.next_attempt_at <= now()
             ORDER BY d.next_attempt_at, d.created_at
             LIMIT room
               FOR UPDATE SKIP LOCKED
        ), claimed AS (
            UPDATE webhook_deliveries d
               SET status = 'delivering', attempts = d.attempts + 1, leased_by = p_worker, updated_at = now(),
                   lease_until = now() + make_interval(secs => p_lease_seconds)
              FROM picked WHERE d.delivery_id = picked.delivery_id
            RETURNING d.delivery_id, d.attempts, d.event_id, d.endpoint_id
        ), opened AS (
            INSERT INTO webhook_attempts (delivery_id, attempt, started_at, outcome, worker)
            SELECT c.delivery_id, c.attempts, clock_timestamp(), 'in_progress', p_worker FROM claimed c
        )
        SELECT c.delivery_id, c.attempts, ev.event_id, ev.type, ev.created_at, ev.data::text, e.endpoint_id, e.url,
               e.secret_sealed, e.secret_key_id,
               CASE WHEN e.previous_secret_expires_at > now() THEN e.previous_secret_sealed END,
               CASE WHEN e.previous_secret_expires_at > now() THEN e.previous_secret_key_id END
          FROM claimed c
          JOIN webhook_events ev ON ev.event_id = c.event_id
          JOIN webhook_endpoints e ON e.endpoint_id = c.endpoint_id;
        GET DIAGNOSTICS n = ROW_COUNT;
        taken := taken + n;
    END LOOP;
END $$;
