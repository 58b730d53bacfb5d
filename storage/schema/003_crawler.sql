-- drpwatch schema, migration 003: the crawler at full strength (issue 4):
-- per-source politeness, session and adapter settings, and job roles for
-- incremental re-crawls.

-- Politeness and sessions. robots: honour robots.txt (clear web only).
-- delay_ms: pause between two requests to one host. charset: overrides
-- what the server declares. cookie_file: where the operator's session
-- cookie lives (the cookie itself is never stored here). session_marker:
-- text that shows on a page when that session has expired.
ALTER TABLE sources ADD COLUMN robots boolean NOT NULL DEFAULT true;
ALTER TABLE sources ADD COLUMN delay_ms integer NOT NULL DEFAULT 0
    CHECK (delay_ms BETWEEN 0 AND 3600000);
ALTER TABLE sources ADD COLUMN charset text;
ALTER TABLE sources ADD COLUMN cookie_file text;
ALTER TABLE sources ADD COLUMN session_marker text;

-- The adapter: a forum engine whose markup gives the default selectors,
-- XPath selectors that override them, and for paste sites the paste-id
-- pattern and the raw-view URL template ({id}).
ALTER TABLE sources ADD COLUMN engine text;
ALTER TABLE sources ADD COLUMN sel_boards text;
ALTER TABLE sources ADD COLUMN sel_threads text;
ALTER TABLE sources ADD COLUMN sel_thread_link text;
ALTER TABLE sources ADD COLUMN sel_marker text;
ALTER TABLE sources ADD COLUMN sel_next text;
ALTER TABLE sources ADD COLUMN sel_pastes text;
ALTER TABLE sources ADD COLUMN paste_id text;
ALTER TABLE sources ADD COLUMN raw_url text;

-- What a job is, which decides when it is due again:
--   list    board indexes, thread lists, paste archives, feeds: every
--           interval (with jitter);
--   page    a page of a 'site' source: every interval;
--   marked  forum threads and sitemap entries: only when the marker seen
--           on the list page (last post, lastmod) changes;
--   once    a paste's raw view, a feed item: fetched once.
-- thread_id ties the later pages of a thread to its first page's job.
ALTER TABLE jobs ADD COLUMN role text NOT NULL DEFAULT 'page'
    CHECK (role IN ('list', 'page', 'marked', 'once'));
ALTER TABLE jobs ADD COLUMN marker text;
ALTER TABLE jobs ADD COLUMN thread_id bigint REFERENCES jobs (id)
    ON DELETE CASCADE;
CREATE INDEX jobs_thread ON jobs (thread_id) WHERE thread_id IS NOT NULL;

-- Seeds of forum, paste and feed sources are lists.
UPDATE jobs j SET role = 'list' FROM sources s
    WHERE s.id = j.source_id AND j.depth = 0 AND s.kind <> 'site';

-- When a job that was fetched (or found unchanged) is due again: list and
-- page jobs after the source's interval, give or take 10 % so that the
-- sources of one operator do not all wake together; marked and once jobs
-- only when a list page says so (a new marker) -- never by the clock.
CREATE FUNCTION drp_next_due(role text, interval_s integer)
RETURNS timestamptz LANGUAGE sql VOLATILE AS $$
    SELECT CASE WHEN role IN ('marked', 'once') THEN 'infinity'::timestamptz
                ELSE now() + make_interval(secs => interval_s *
                                           (0.9 + 0.2 * random()))
           END
$$;

-- Several workers start at once: when two race to create the same month
-- partition, the loser finds it made and goes on.
CREATE OR REPLACE FUNCTION drp_documents_partition(ts timestamptz)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    lo date := date_trunc('month', ts AT TIME ZONE 'UTC')::date;
    hi date := (lo + interval '1 month')::date;
    name text := format('documents_%s', to_char(lo, 'YYYYMM'));
BEGIN
    IF to_regclass(name) IS NULL THEN
        BEGIN
            EXECUTE format('CREATE TABLE %I PARTITION OF documents FOR VALUES '
                           'FROM (%L) TO (%L)', name,
                           lo::timestamptz AT TIME ZONE 'UTC',
                           hi::timestamptz AT TIME ZONE 'UTC');
        EXCEPTION WHEN duplicate_table OR unique_violation THEN
            NULL;
        END;
    END IF;
END $$;
