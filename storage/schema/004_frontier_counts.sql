-- drpwatch schema, migration 004: each source's frontier size, kept by
-- triggers, so that enqueueing a page's links checks max_pages without
-- counting the source's jobs (which made a crawl quadratic in its size).

ALTER TABLE sources ADD COLUMN jobs_total bigint NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN jobs_unfetched bigint NOT NULL DEFAULT 0;
UPDATE sources s SET
    jobs_total = (SELECT count(*) FROM jobs j WHERE j.source_id = s.id),
    jobs_unfetched = (SELECT count(*) FROM jobs j
                      WHERE j.source_id = s.id AND j.fetched_at IS NULL);

-- Inserts and deletes, once per statement (a page's links are one INSERT).
CREATE FUNCTION drp_jobs_count_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE sources s SET jobs_total = s.jobs_total + c.n,
                             jobs_unfetched = s.jobs_unfetched + c.u
        FROM (SELECT source_id, count(*) AS n,
                     count(*) FILTER (WHERE fetched_at IS NULL) AS u
              FROM new_jobs GROUP BY source_id) c
        WHERE s.id = c.source_id;
    ELSE
        UPDATE sources s SET jobs_total = s.jobs_total - c.n,
                             jobs_unfetched = s.jobs_unfetched - c.u
        FROM (SELECT source_id, count(*) AS n,
                     count(*) FILTER (WHERE fetched_at IS NULL) AS u
              FROM old_jobs GROUP BY source_id) c
        WHERE s.id = c.source_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER jobs_count_insert AFTER INSERT ON jobs
    REFERENCING NEW TABLE AS new_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION drp_jobs_count_rows();
CREATE TRIGGER jobs_count_delete AFTER DELETE ON jobs
    REFERENCING OLD TABLE AS old_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION drp_jobs_count_rows();

-- A job fetched for the first time (or, by hand, made unfetched again).
CREATE FUNCTION drp_jobs_count_fetched() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE sources SET jobs_unfetched = jobs_unfetched
        + (NEW.fetched_at IS NULL)::int - (OLD.fetched_at IS NULL)::int
    WHERE id = NEW.source_id;
    RETURN NULL;
END $$;
CREATE TRIGGER jobs_count_fetched AFTER UPDATE OF fetched_at ON jobs
    FOR EACH ROW
    WHEN ((OLD.fetched_at IS NULL) <> (NEW.fetched_at IS NULL))
    EXECUTE FUNCTION drp_jobs_count_fetched();

-- Leasing walks the unleased jobs in crawl order instead of sorting every
-- due job; expired leases are cleared first through the small index of
-- leased jobs.
CREATE INDEX jobs_lease ON jobs (depth, due_at, id) WHERE lease_owner IS NULL;
CREATE INDEX jobs_leased ON jobs (lease_expires) WHERE lease_owner IS NOT NULL;
