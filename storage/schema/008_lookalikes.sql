-- drpwatch schema, migration 008: the lookalike watch. Each owned domain's
-- passes (leased like the frontier, so several workers share them), each
-- candidate that DNS ever found registered or could not tell, with its
-- current state, and the history of its checks: a new registration, a
-- parked domain turning into a clone and an unknown answer retried later
-- are all read from here.

CREATE TABLE lookalike_domains (
    domain        text PRIMARY KEY,      -- the owned domain, A-labels
    first_pass    timestamptz,           -- the first pass that finished:
                                         --   later registrations are new
    last_pass     timestamptz,
    due_at        timestamptz NOT NULL DEFAULT now(),
    lease_owner   text,
    lease_until   timestamptz,
    candidates    integer NOT NULL DEFAULT 0,
    registered    integer NOT NULL DEFAULT 0,
    unknown       integer NOT NULL DEFAULT 0,
    wildcard      integer NOT NULL DEFAULT 0
);

CREATE TABLE lookalikes (
    id                bigserial PRIMARY KEY,
    name              text NOT NULL UNIQUE,    -- A-labels
    unicode           text NOT NULL,
    domain            text NOT NULL REFERENCES lookalike_domains (domain),
    fuzzers           text NOT NULL,
    state             text NOT NULL CHECK (state IN ('registered',
                          'unregistered', 'wildcard', 'unknown')),
    reason            text,
    first_seen        timestamptz NOT NULL DEFAULT now(),
    first_registered  timestamptz,     -- first seen registered
    last_checked      timestamptz NOT NULL DEFAULT now(),
    last_changed      timestamptz NOT NULL DEFAULT now(),
    checks            integer NOT NULL DEFAULT 1,
    addresses         text,
    mx                text,
    http_status       integer,
    final_url         text,
    text_similarity   real,
    markup_similarity real,
    login_form        boolean,
    payment_form      boolean,
    brand_terms       integer,
    favicon_match     boolean,
    parked            boolean,
    score             integer,
    severity          text,
    alert_id          bigint REFERENCES alerts (id) ON DELETE SET NULL
);
CREATE INDEX lookalikes_domain ON lookalikes (domain, state);

-- One row per check of a stored candidate: its state over time.
CREATE TABLE lookalike_checks (
    id                bigserial PRIMARY KEY,
    lookalike_id      bigint NOT NULL REFERENCES lookalikes (id)
                          ON DELETE CASCADE,
    at                timestamptz NOT NULL DEFAULT now(),
    state             text NOT NULL,
    reason            text,
    addresses         text,
    mx                text,
    http_status       integer,
    final_url         text,
    text_similarity   real,
    markup_similarity real,
    login_form        boolean,
    payment_form      boolean,
    brand_terms       integer,
    favicon_match     boolean,
    parked            boolean,
    score             integer,
    severity          text
);
CREATE INDEX lookalike_checks_of ON lookalike_checks (lookalike_id, at);
