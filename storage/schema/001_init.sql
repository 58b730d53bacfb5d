-- drpwatch schema, migration 001: the whole store of the first release.
-- Times are timestamptz (UTC on output). Passwords never appear: credentials
-- keep a keyed hash (HMAC-SHA-256) and a masked hint.

CREATE TABLE watch_terms (
    id          bigserial PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('brand', 'product', 'executive',
                    'domain', 'email_domain', 'ip_range', 'card_bin',
                    'canary')),
    value       text NOT NULL,
    priority    text NOT NULL DEFAULT 'medium'
                    CHECK (priority IN ('low', 'medium', 'high', 'critical')),
    consumers   text,
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kind, value)
);

-- The applied crawl settings (tor proxy, limits), from drpwatch.yaml.
CREATE TABLE settings (
    key         text PRIMARY KEY,
    value       text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sources (
    id             bigserial PRIMARY KEY,
    name           text NOT NULL UNIQUE,
    kind           text NOT NULL CHECK (kind IN ('forum', 'paste', 'site',
                       'feed')),
    url            text NOT NULL,
    tor            boolean NOT NULL DEFAULT false,
    allow_private  boolean NOT NULL DEFAULT false,
    max_depth      integer NOT NULL DEFAULT 2,
    max_pages      integer NOT NULL DEFAULT 1000,
    interval_s     integer NOT NULL DEFAULT 3600,
    reliability    char(1) NOT NULL DEFAULT 'F',
    enabled        boolean NOT NULL DEFAULT true,
    last_success   timestamptz,
    last_error     text,
    last_error_at  timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Every failure on a source, for the operator (drpwatch status).
CREATE TABLE source_errors (
    id         bigserial PRIMARY KEY,
    source_id  bigint NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    url        text NOT NULL,
    error      text NOT NULL,
    at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX source_errors_source ON source_errors (source_id, at);

-- The frontier: one row per page of a source, leased by workers.
CREATE TABLE jobs (
    id             bigserial PRIMARY KEY,
    source_id      bigint NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    url            text NOT NULL,
    depth          integer NOT NULL DEFAULT 0,
    due_at         timestamptz NOT NULL DEFAULT now(),
    lease_owner    text,
    lease_expires  timestamptz,
    attempts       integer NOT NULL DEFAULT 0,
    last_status    integer,
    last_error     text,
    etag           text,
    last_modified  text,
    content_hash   bytea,
    fetched_at     timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source_id, url)
);
CREATE INDEX jobs_due ON jobs (due_at) WHERE lease_owner IS NULL;

-- Documents: one row per distinct version of a page, partitioned by month
-- so that retention drops whole partitions. The text is stored redacted.
CREATE TABLE documents (
    id            bigserial,
    source_id     bigint NOT NULL,
    job_id        bigint NOT NULL,
    url           text NOT NULL,
    fetched_at    timestamptz NOT NULL DEFAULT now(),
    http_status   integer NOT NULL,
    content_type  text,
    sha256        bytea NOT NULL,
    title         text,
    body_bytes    integer NOT NULL,
    text          text NOT NULL,
    PRIMARY KEY (id, fetched_at)
) PARTITION BY RANGE (fetched_at);
CREATE TABLE documents_default PARTITION OF documents DEFAULT;
CREATE INDEX documents_url ON documents (source_id, url);

-- Creates the month partition that holds ts when missing.
CREATE FUNCTION drp_documents_partition(ts timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    lo date := date_trunc('month', ts AT TIME ZONE 'UTC')::date;
    hi date := (lo + interval '1 month')::date;
    name text := format('documents_%s', to_char(lo, 'YYYYMM'));
BEGIN
    IF to_regclass(name) IS NULL THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF documents FOR VALUES '
                       'FROM (%L) TO (%L)', name, lo::timestamptz AT TIME ZONE 'UTC',
                       hi::timestamptz AT TIME ZONE 'UTC');
    END IF;
END $$;

-- One row per kind and normalised value.
CREATE TABLE findings (
    id              bigserial PRIMARY KEY,
    kind            text NOT NULL,
    value           text NOT NULL,
    watched         boolean NOT NULL DEFAULT false,
    confidence      integer NOT NULL CHECK (confidence BETWEEN 0 AND 100),
    tlp             text NOT NULL DEFAULT 'amber',
    first_seen      timestamptz NOT NULL DEFAULT now(),
    last_seen       timestamptz NOT NULL DEFAULT now(),
    sighting_count  integer NOT NULL DEFAULT 0,
    valid_until     timestamptz,
    UNIQUE (kind, value)
);

-- Leaked credentials: never the password, only its keyed hash and a hint.
CREATE TABLE credentials (
    finding_id     bigint PRIMARY KEY REFERENCES findings (id)
                       ON DELETE CASCADE,
    identity       text NOT NULL,
    domain         text,
    password_hmac  bytea NOT NULL,
    password_hint  text NOT NULL
);
CREATE INDEX credentials_domain ON credentials (domain);
CREATE INDEX credentials_hmac ON credentials (password_hmac);

-- A finding seen in a document, with a (redacted) context snippet.
CREATE TABLE sightings (
    id           bigserial PRIMARY KEY,
    finding_id   bigint NOT NULL REFERENCES findings (id) ON DELETE CASCADE,
    document_id  bigint NOT NULL,
    source_id    bigint NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    url          text NOT NULL,
    byte_offset  bigint NOT NULL,
    snippet      text,
    seen_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (finding_id, document_id)
);

CREATE TABLE alerts (
    id           bigserial PRIMARY KEY,
    dedup_key    text NOT NULL UNIQUE,
    kind         text NOT NULL,
    severity     text NOT NULL CHECK (severity IN ('info', 'low', 'medium',
                     'high', 'critical')),
    score        integer NOT NULL,
    status       text NOT NULL DEFAULT 'new'
                     CHECK (status IN ('new', 'investigating',
                     'takedown-requested', 'resolved', 'false-positive',
                     'accepted-risk')),
    title        text NOT NULL,
    summary      text,
    next_step    text,
    audience     text,
    finding_id   bigint REFERENCES findings (id),
    source_id    bigint REFERENCES sources (id),
    url          text,
    first_seen   timestamptz NOT NULL DEFAULT now(),
    last_seen    timestamptz NOT NULL DEFAULT now(),
    occurrences  integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alerts_status ON alerts (status, severity);

-- The audit trail of every change to an alert.
CREATE TABLE alert_events (
    id        bigserial PRIMARY KEY,
    alert_id  bigint NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    at        timestamptz NOT NULL DEFAULT now(),
    actor     text NOT NULL,
    event     text NOT NULL,
    detail    text
);
CREATE INDEX alert_events_alert ON alert_events (alert_id, at);
