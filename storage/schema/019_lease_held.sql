-- drpwatch schema, migration 019: a page is stored only under its job's
-- lease. A crawler holds a job while it fetches its page, and a lease can
-- be lost meanwhile: the server crashed and lost the lease's commit (the
-- crawler commits asynchronously), or the lease expired and another
-- worker took the job. The job is then leased again and its page fetched
-- twice; each copy would be stored, a document twice. Every transaction
-- that completes jobs with their pages first holds them with this
-- function: it locks the jobs' rows (after the sources' rows, as the
-- completion did) and fails with SQLSTATE DW001 unless each is still
-- leased to owner. The copy stored first completes the job and clears its
-- lease; the other finds the lease gone and is dropped.
CREATE FUNCTION drp_hold_leases(ids bigint[], owner text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    held bigint;
BEGIN
    SELECT count(*) INTO held FROM (
        SELECT 1 FROM jobs WHERE id = ANY (ids) AND lease_owner = owner
        ORDER BY id FOR NO KEY UPDATE) h;
    IF held < cardinality(ids) THEN
        RAISE EXCEPTION 'lease lost: % of % jobs no longer leased to %',
            cardinality(ids) - held, cardinality(ids), owner
            USING ERRCODE = 'DW001';
    END IF;
END $$;
