-- drpwatch schema, migration 014: the frontier counts of migration 004
-- (sources.jobs_total, sources.jobs_unfetched) are kept by the statements
-- that insert jobs and complete them (storage/store.c, storage/frontier.c)
-- instead of by triggers. The triggers updated the source's row twice a
-- stored page (once for the page's links, once for its job's first
-- fetch), each through a PL/pgSQL call; the statements now fold both into
-- the one update of the source's row that the page makes anyway.
-- Whatever inserts jobs or sets a job's fetched_at must count them too;
-- deletes are still counted by the trigger jobs_count_delete.

DROP TRIGGER IF EXISTS jobs_count_insert ON jobs;
DROP TRIGGER IF EXISTS jobs_count_fetched ON jobs;
DROP FUNCTION IF EXISTS drp_jobs_count_fetched();

-- Counted afresh, in case anything wrote jobs with the triggers disabled.
UPDATE sources s SET
    jobs_total = (SELECT count(*) FROM jobs j WHERE j.source_id = s.id),
    jobs_unfetched = (SELECT count(*) FROM jobs j
                      WHERE j.source_id = s.id AND j.fetched_at IS NULL);
