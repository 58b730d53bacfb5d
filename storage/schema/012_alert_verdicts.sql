-- drpwatch schema, migration 012: the analysts' verdicts counted by kind
-- and source, kept by triggers, so that rescoring a case reads a few
-- counts instead of every alert of its source and of its kind (1.26
-- million alert rows read for the 1,293 cases of a 20,000-page crawl);
-- and an index for the distinct sources of a finding's sightings, which
-- storage/cases.c reads by a skip scan (a probe per source) instead of
-- reading every sighting (a brand's finding is sighted on every page that
-- names it).

-- tp: alerts whose status is a true-positive verdict (drp_verdict true),
-- fp: false positives; source_id 0 stands for alerts of no source.
CREATE TABLE alert_verdicts (
    kind       text NOT NULL,
    source_id  bigint NOT NULL,
    tp         bigint NOT NULL DEFAULT 0,
    fp         bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, source_id)
);
CREATE INDEX alert_verdicts_source ON alert_verdicts (source_id);
INSERT INTO alert_verdicts (kind, source_id, tp, fp)
SELECT kind, coalesce(source_id, 0),
       count(*) FILTER (WHERE drp_verdict(status)),
       count(*) FILTER (WHERE NOT drp_verdict(status))
FROM alerts WHERE drp_verdict(status) IS NOT NULL
GROUP BY 1, 2;

-- An alert's verdict leaves its old (kind, source) and joins its new one.
CREATE FUNCTION drp_alert_verdicts_count() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        IF drp_verdict(OLD.status) IS NOT NULL THEN
            UPDATE alert_verdicts
            SET tp = tp - drp_verdict(OLD.status)::int,
                fp = fp - (NOT drp_verdict(OLD.status))::int
            WHERE kind = OLD.kind AND source_id = coalesce(OLD.source_id, 0);
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        IF drp_verdict(NEW.status) IS NOT NULL THEN
            INSERT INTO alert_verdicts AS v (kind, source_id, tp, fp)
            VALUES (NEW.kind, coalesce(NEW.source_id, 0),
                    drp_verdict(NEW.status)::int,
                    (NOT drp_verdict(NEW.status))::int)
            ON CONFLICT (kind, source_id) DO UPDATE
            SET tp = v.tp + EXCLUDED.tp, fp = v.fp + EXCLUDED.fp;
        END IF;
    END IF;
    RETURN NULL;
END $$;
-- Only alerts with a verdict, or whose verdict changes, fire them: the
-- crawler's upserts of open cases do not.
CREATE TRIGGER alerts_verdicts_insert AFTER INSERT ON alerts
    FOR EACH ROW WHEN (drp_verdict(NEW.status) IS NOT NULL)
    EXECUTE FUNCTION drp_alert_verdicts_count();
CREATE TRIGGER alerts_verdicts_update
    AFTER UPDATE OF status, kind, source_id ON alerts
    FOR EACH ROW WHEN (drp_verdict(OLD.status) IS DISTINCT FROM
                       drp_verdict(NEW.status)
                       OR (drp_verdict(OLD.status) IS NOT NULL
                           AND (OLD.kind <> NEW.kind
                                OR OLD.source_id IS DISTINCT FROM
                                   NEW.source_id)))
    EXECUTE FUNCTION drp_alert_verdicts_count();
CREATE TRIGGER alerts_verdicts_delete AFTER DELETE ON alerts
    FOR EACH ROW WHEN (drp_verdict(OLD.status) IS NOT NULL)
    EXECUTE FUNCTION drp_alert_verdicts_count();

CREATE INDEX sightings_finding_source ON sightings (finding_id, source_id);

