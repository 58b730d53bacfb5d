-- drpwatch schema, migration 017: a document's text is stored as it is,
-- in the document's row, when the row fits in a page (toast_tuple_target
-- 8160 bytes on every partition, where the default is about 2 KB). Past
-- 2 KB, every stored page had its text compressed (LZ4, migration 010)
-- and then, still past 2 KB, moved out of the row into the partition's
-- TOAST table, a row and an index entry per 2 KB: with a crawl's 5 KB of
-- text a page, a tenth of the database's instructions a stored page.
-- Rows past 8160 bytes are compressed and moved out as before. The price
-- is disk: a row of 4 to 8 KB fills a page of its own, and the text is
-- not compressed (the bench's text by a quarter, prose's by about half).
-- Partitioned tables take no storage parameters: each partition has its
-- own, and drp_documents_partition() makes new ones so.
DO $$
DECLARE
    part regclass;
BEGIN
    FOR part IN SELECT inhrelid::regclass FROM pg_inherits
                WHERE inhparent = 'documents'::regclass
    LOOP
        EXECUTE format('ALTER TABLE %s SET (toast_tuple_target = 8160)',
                       part);
    END LOOP;
END $$;

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
                           'FROM (%L) TO (%L) WITH (toast_tuple_target = 8160)',
                           name, lo::timestamptz AT TIME ZONE 'UTC',
                           hi::timestamptz AT TIME ZONE 'UTC');
        EXCEPTION WHEN duplicate_table OR unique_violation THEN
            NULL;
        END;
    END IF;
END $$;
