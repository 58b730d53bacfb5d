-- drpwatch schema, migration 010: documents' text compressed with LZ4
-- instead of pglz. A page's text (about 5 KB) is compressed inline on
-- every insert, and pglz made that one of the largest costs of storing a
-- page; LZ4 is several times faster for a similar size. New partitions
-- take the parent's setting; existing ones are set here (values already
-- stored stay as they are). A server built without LZ4 keeps pglz.
DO $$
DECLARE
    part regclass;
BEGIN
    EXECUTE 'ALTER TABLE documents ALTER COLUMN text SET COMPRESSION lz4';
    FOR part IN SELECT inhrelid::regclass FROM pg_inherits
                WHERE inhparent = 'documents'::regclass
    LOOP
        EXECUTE format('ALTER TABLE %s ALTER COLUMN text SET COMPRESSION lz4',
                       part);
    END LOOP;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'LZ4 not supported by this server: documents keep pglz';
END $$;
