-- drpwatch schema, migration 006: notifications. The channels applied from
-- drpwatch.yaml and a durable outbox: one row per alert, channel and reason
-- (and one per digest period), leased by workers with FOR UPDATE SKIP
-- LOCKED like the frontier, retried with backoff, dead-lettered after the
-- channel's last attempt. Secrets are never stored: an SMTP password stays
-- in the file the channel names.

CREATE TABLE notify_channels (
    id              bigserial PRIMARY KEY,
    name            text NOT NULL UNIQUE,
    type            text NOT NULL CHECK (type IN ('webhook', 'email',
                        'syslog')),
    kinds           text[],           -- alert kinds; NULL: every kind
    min_severity    text NOT NULL DEFAULT 'medium'
                        CHECK (min_severity IN ('info', 'low', 'medium',
                        'high', 'critical')),
    digest          boolean NOT NULL DEFAULT false,
    digest_at       integer NOT NULL DEFAULT 480     -- minutes after 00:00 UTC
                        CHECK (digest_at BETWEEN 0 AND 1439),
    max_attempts    integer NOT NULL CHECK (max_attempts BETWEEN 1 AND 100),
    retry_ms        integer NOT NULL CHECK (retry_ms > 0),
    timeout_s       integer NOT NULL CHECK (timeout_s > 0),
    url             text,             -- webhook: http(s); email: smtp(s)
    format          text CHECK (format IN ('json', 'chat')),
    mail_from       text,
    mail_to         text[],
    username        text,
    password_file   text,             -- the password stays in that file
    address         text,             -- syslog: udp://, tcp://, unix:PATH
    facility        text,
    enabled         boolean NOT NULL DEFAULT true,
    -- The end of the period the last digest covered (the next one starts
    -- there); the first digest covers the time since the channel was made.
    last_digest_at  timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE notify_outbox (
    id               bigserial PRIMARY KEY,
    channel_id       bigint NOT NULL REFERENCES notify_channels (id)
                         ON DELETE CASCADE,
    alert_id         bigint REFERENCES alerts (id) ON DELETE CASCADE,
    reason           text NOT NULL,   -- 'opened', 'severity:high', 'digest'
    period_start     timestamptz,     -- digest rows: the period covered
    period_end       timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_attempt_at  timestamptz,
    lease_owner      text,
    lease_expires    timestamptz,
    delivered_at     timestamptz,
    dead_at          timestamptz,     -- gave up: last_error says why
    last_error       text,
    CHECK ((alert_id IS NULL) = (reason = 'digest')),
    UNIQUE (alert_id, channel_id, reason)
);
CREATE UNIQUE INDEX notify_outbox_digest ON notify_outbox
    (channel_id, period_end) WHERE alert_id IS NULL;
CREATE INDEX notify_outbox_due ON notify_outbox (next_attempt_at)
    WHERE delivered_at IS NULL AND dead_at IS NULL;

-- When a digest channel whose last digest ended at last is due again: the
-- first digest_at (minutes after midnight UTC) after last.
CREATE FUNCTION drp_next_digest(last timestamptz, at_min integer)
RETURNS timestamptz LANGUAGE sql STABLE AS $$
    SELECT (date_trunc('day', (last AT TIME ZONE 'UTC') -
                              make_interval(mins => at_min))
            + make_interval(days => 1, mins => at_min)) AT TIME ZONE 'UTC'
$$;
