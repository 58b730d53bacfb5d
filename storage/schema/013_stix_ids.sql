-- drpwatch schema, migration 013: the STIX ids of the objects the TAXII
-- server builds from findings and sources, so that an object is found by
-- its id (objects/{id}/, match[id]) with an index lookup instead of
-- building the whole collection. The ids are UUIDv5s computed in C
-- (alerts/stix.c); `drpwatch serve` adds the ids of new findings,
-- sightings and sources before it looks one up. A row names the finding
-- whose objects hold that id (indicator, observable, relationship; with a
-- source: the sighting by that source) or, for a source's identity, the
-- source alone. The type is left out of the id (the server checks the
-- whole id of the objects it builds): 16 bytes a row. No foreign keys: the index is written in bulk (400,000
-- ids for 100,000 findings) and a row whose finding or source is gone
-- only leads a lookup to nothing (ids are never reused).
CREATE TABLE stix_ids (
    stix_id     uuid NOT NULL,      -- the id without its "type--"
    finding_id  bigint,
    source_id   bigint,
    CHECK (finding_id IS NOT NULL OR source_id IS NOT NULL),
    UNIQUE NULLS NOT DISTINCT (stix_id, finding_id, source_id)
);
CREATE INDEX stix_ids_owner ON stix_ids (finding_id, source_id);
CREATE INDEX stix_ids_source ON stix_ids (source_id) WHERE finding_id IS NULL;
