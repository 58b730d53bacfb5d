-- drpwatch schema, migration 009: the TAXII server pages through a
-- collection's findings in the order they were last changed.
CREATE INDEX findings_last_seen ON findings (last_seen, id);
