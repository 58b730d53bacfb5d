-- drpwatch schema, migration 007: takedown packs and their follow-through.
-- One row per pack built for a case (`drpwatch alerts takedown ID`); a
-- newer pack for the same case closes the older one. The open pack of a
-- case in takedown-requested is re-checked on a schedule until the target
-- is gone (the case resolves itself) and reminds while it stays
-- unanswered.

CREATE TABLE takedowns (
    id             bigserial PRIMARY KEY,
    alert_id       bigint NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    created_at     timestamptz NOT NULL DEFAULT now(),  -- the request
    actor          text NOT NULL,
    target_url     text NOT NULL,
    pack           jsonb NOT NULL,   -- alerts/takedown.h: takedown_pack()
    saved_copy     text,             -- the stored page's text (passwords
                                     -- masked): kept past retention
    -- follow-through
    next_check_at  timestamptz NOT NULL,
    checks         integer NOT NULL DEFAULT 0,
    last_check_at  timestamptz,
    last_state     text CHECK (last_state IN ('live', 'gone', 'unreachable',
                       'unclear')),
    last_result    text,             -- what the last check found
    unreachable    integer NOT NULL DEFAULT 0,  -- such checks in a row
    reminders      integer NOT NULL DEFAULT 0,
    reminded_at    timestamptz,
    closed_at      timestamptz,      -- target gone, or a newer pack
    closed_why     text
);
CREATE INDEX takedowns_alert ON takedowns (alert_id, id);
CREATE INDEX takedowns_due ON takedowns (next_check_at)
    WHERE closed_at IS NULL;
