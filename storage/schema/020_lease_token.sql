-- drpwatch schema, migration 020: each lease of a job has a token of its
-- own. Migration 019 tells the holder of a lease by its owner ("host:pid"),
-- but the workers of one run share their owner: when a page takes longer
-- to fetch than its lease, the lease expires and another worker of the
-- same run may take the job again, and the first copy's completion (a
-- failure that backs the job off, a skip, an unchanged page, a stored
-- page) could not tell that the job was no longer its own. A lease now
-- also sets lease_token, a random 64-bit number drawn by the crawler for
-- each call that leases jobs (a job is leased once a call, so the job's id
-- and the token name one lease); whatever completes a job checks both.
-- The token is not cleared with the lease: a lease is held while
-- lease_owner is set. Not indexed, so a lease stays a HOT update
-- (migrations 015 and 018).
ALTER TABLE jobs ADD COLUMN lease_token bigint;

-- drp_hold_leases() (migration 019) of the jobs ids, each under its own
-- lease: tokens[i] for ids[i], owner for all.
DROP FUNCTION drp_hold_leases(bigint[], text);
CREATE FUNCTION drp_hold_leases(ids bigint[], owner text, tokens bigint[])
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    held bigint;
BEGIN
    IF cardinality(ids) <> cardinality(tokens) THEN
        RAISE EXCEPTION 'drp_hold_leases: % ids, % tokens',
            cardinality(ids), cardinality(tokens);
    END IF;
    SELECT count(*) INTO held FROM (
        SELECT 1 FROM jobs j JOIN unnest(ids, tokens) AS h(id, token)
          ON j.id = h.id AND j.lease_token = h.token
        WHERE j.lease_owner = owner
        ORDER BY j.id FOR NO KEY UPDATE OF j) l;
    IF held < cardinality(ids) THEN
        RAISE EXCEPTION 'lease lost: % of % jobs no longer under the leases of %',
            cardinality(ids) - held, cardinality(ids), owner
            USING ERRCODE = 'DW001';
    END IF;
END $$;
