-- drpwatch schema, migration 005: alerts as cases. A score made of parts
-- (stored and shown), the time of each status change and verdict, the
-- number of independent sources behind a case, and a note on each event.

ALTER TABLE alerts ADD COLUMN score_parts jsonb;
ALTER TABLE alerts ADD COLUMN term text;            -- the watch term's value
ALTER TABLE alerts ADD COLUMN sources_seen integer NOT NULL DEFAULT 1;
ALTER TABLE alerts ADD COLUMN raised_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE alerts ADD COLUMN status_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE alerts ADD COLUMN closed_at timestamptz; -- resolved, false
                                                     -- positive or accepted
ALTER TABLE alerts ADD CONSTRAINT alerts_kind_known CHECK (kind IN (
    'credential-leak', 'brand-mention', 'lookalike-domain', 'impersonation',
    'secret-leak', 'card-leak', 'own-asset-listed', 'canary'));
CREATE INDEX alerts_kind ON alerts (kind, status);
CREATE INDEX alerts_source ON alerts (source_id, status);
CREATE INDEX alerts_last_seen ON alerts (last_seen);

ALTER TABLE alert_events ADD COLUMN note text;

-- 0 (info) to 4 (critical): severities compare by rank.
CREATE FUNCTION drp_severity_rank(s text) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
    SELECT array_position(ARRAY['info', 'low', 'medium', 'high',
                                'critical'], s) - 1
$$;

-- A verdict: what an analyst's closing status says of the alert.
-- true: it was real (resolved, taken down, or a risk accepted);
-- false: a false positive; NULL: no verdict yet.
CREATE FUNCTION drp_verdict(status text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN status IN ('resolved', 'takedown-requested',
                                'accepted-risk') THEN true
                WHEN status = 'false-positive' THEN false END
$$;

-- The operator's allowlist (subjects never alerted) and suppression rules,
-- replaced whole by `drpwatch apply`.
CREATE TABLE alert_filters (
    id          bigserial PRIMARY KEY,
    what        text NOT NULL CHECK (what IN ('allow', 'suppress')),
    subject     text,          -- allow: the subject
    kind        text,          -- suppress: every field given must match
    source      text,
    match       text
);

-- "--since": a timestamp, or an interval back from now ("7 days").
CREATE FUNCTION drp_since(s text) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN s ~ '^[0-9]+ *[a-z]+$' THEN now() - s::interval
                ELSE s::timestamptz END
$$;

-- Exports leave out the e-mail addresses that are leaked identities.
CREATE INDEX credentials_identity ON credentials (identity);

-- Whether a finding may leave as an indicator: not known-benign, not ours
-- (watched), and not an e-mail address that is a leaked identity.
CREATE FUNCTION drp_shareable(f findings) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT f.benign IS NULL AND NOT f.watched
           AND NOT (f.kind = 'email' AND EXISTS (SELECT 1 FROM credentials c
                                                WHERE c.identity = f.value))
$$;
