-- drpwatch schema, migration 015: less work for the database per stored
-- page (issue 4, "Speed"). Every page leases its job, stores a document,
-- its findings and sightings, completes its job and counts the source's
-- frontier; three kinds of overhead on those writes go:
--
-- 1. Leasing a job changes no index. jobs_lease held only the unleased
--    jobs and jobs_leased only the leased ones: setting lease_owner moved
--    the row between them, and an update that changes an index's key or
--    predicate cannot be a HOT update (a new row version with new entries
--    in each of the table's indexes). jobs_lease now holds every job; the
--    lease skips the jobs leased to someone, and takes back those whose
--    lease expired itself (storage/frontier.c), which jobs_leased was for.
--    Space left on each page lets the lease's new row version stay on its
--    page (the fillfactor applies to the pages written from now on).
--
-- 2. A table's CHECK constraints are read back from their stored text and
--    compiled by every statement that writes a row of it, whatever the
--    columns it sets: each stored page paid that for the source's row
--    (three constraints, updated for its frontier counts), for its job's
--    rows (leased, inserted, completed) and for its findings. The same
--    rules are now domains, checked only where a value of that column is
--    written (and kept compiled by the server).
--
-- 3. The foreign keys of the rows written for every page (a job's source,
--    a sighting's finding and source, a credential's finding) ran a query
--    per row through the server's SPI: a fifth of the database's work per
--    page. The statements that write those rows take their ids from rows
--    of the same transaction instead (storage/store.c): a new job's
--    source is the row the statement locks to count its room; sightings
--    and credentials join the findings the statement has just upserted,
--    and the sightings' source is locked once per page (FOR KEY SHARE, as
--    the foreign key did per row). Nothing in drpwatch deletes sources or
--    findings; deleting one by hand still removes what hung on it, by the
--    triggers below (what ON DELETE CASCADE did).

-- 1. The lease
DROP INDEX IF EXISTS jobs_lease;
DROP INDEX IF EXISTS jobs_leased;
CREATE INDEX jobs_lease ON jobs (depth, due_at, id);
ALTER TABLE jobs SET (fillfactor = 80);

-- 2. Rules as domains (the values were checked by the constraints)
CREATE DOMAIN drp_source_kind AS text
    CHECK (VALUE IN ('forum', 'paste', 'site', 'feed'));
CREATE DOMAIN drp_delay_ms AS integer
    CHECK (VALUE BETWEEN 0 AND 3600000);
CREATE DOMAIN drp_reliability AS integer
    CHECK (VALUE BETWEEN 0 AND 100);
CREATE DOMAIN drp_job_role AS text
    CHECK (VALUE IN ('list', 'page', 'marked', 'once'));
CREATE DOMAIN drp_confidence AS integer
    CHECK (VALUE BETWEEN 0 AND 100);

ALTER TABLE sources
    DROP CONSTRAINT IF EXISTS sources_kind_check,
    DROP CONSTRAINT IF EXISTS sources_delay_ms_check,
    DROP CONSTRAINT IF EXISTS sources_reliability_range,
    ALTER COLUMN kind TYPE drp_source_kind,
    ALTER COLUMN delay_ms TYPE drp_delay_ms,
    ALTER COLUMN reliability TYPE drp_reliability;
ALTER TABLE jobs
    DROP CONSTRAINT IF EXISTS jobs_role_check,
    ALTER COLUMN role TYPE drp_job_role;
ALTER TABLE findings
    DROP CONSTRAINT IF EXISTS findings_confidence_check,
    ALTER COLUMN confidence TYPE drp_confidence;

-- 3. Foreign keys of the rows written per page, and their cascades
ALTER TABLE jobs DROP CONSTRAINT IF EXISTS jobs_source_id_fkey;
ALTER TABLE sightings
    DROP CONSTRAINT IF EXISTS sightings_source_id_fkey,
    DROP CONSTRAINT IF EXISTS sightings_finding_id_fkey;
ALTER TABLE credentials
    DROP CONSTRAINT IF EXISTS credentials_finding_id_fkey;

CREATE FUNCTION drp_sources_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM jobs WHERE source_id = OLD.id;
    DELETE FROM sightings WHERE source_id = OLD.id;
    RETURN NULL;
END $$;
CREATE TRIGGER sources_deleted AFTER DELETE ON sources
    FOR EACH ROW EXECUTE FUNCTION drp_sources_deleted();

CREATE FUNCTION drp_findings_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM sightings WHERE finding_id = OLD.id;
    DELETE FROM credentials WHERE finding_id = OLD.id;
    RETURN NULL;
END $$;
CREATE TRIGGER findings_deleted AFTER DELETE ON findings
    FOR EACH ROW EXECUTE FUNCTION drp_findings_deleted();
