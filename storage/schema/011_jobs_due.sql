-- drpwatch schema, migration 011: no index of due jobs by due time alone.
-- The lease walks jobs_lease (depth, due_at, id) in crawl order and stops
-- after the jobs it takes. With jobs_due beside it, once the statistics
-- were refreshed mid-crawl the planner could take every due job through
-- jobs_due and sort them instead, on every lease (18,000 index entries a
-- lease at 20,000 pages: the crawl's database work doubled). Nothing
-- else needs it, and each job written no longer updates it.
DROP INDEX IF EXISTS jobs_due;
