-- drpwatch schema, migration 016: no foreign key on jobs.thread_id (a later
-- page of a thread names its first page's job). Every job a crawl inserts
-- queued the key's check as an after-trigger event (most have no thread:
-- the check then finds a NULL and returns), and every update of a job's
-- row (its lease, its completion: twice a stored page) went through the
-- key's update triggers on both of its sides. The statement that inserts
-- a thread's page takes the thread's id from the job being completed in
-- the same transaction, with the source's row locked (storage/store.c);
-- the cascade of a delete by hand is kept by the trigger below (what ON
-- DELETE CASCADE did).
ALTER TABLE jobs DROP CONSTRAINT IF EXISTS jobs_thread_id_fkey;

CREATE FUNCTION drp_jobs_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM jobs WHERE thread_id = OLD.id;
    RETURN NULL;
END $$;
CREATE TRIGGER jobs_deleted AFTER DELETE ON jobs
    FOR EACH ROW EXECUTE FUNCTION drp_jobs_deleted();
