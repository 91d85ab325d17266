-- releasegate serve's own tables (SQLite). Times are unix microseconds (UTC) in both engines,
-- so that one SQL text of each query serves both and SQLite compares them as numbers.

CREATE TABLE releasegate_delivery (
    source      TEXT    NOT NULL,
    id          TEXT    NOT NULL,
    event       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    owner       TEXT    NOT NULL DEFAULT '',
    body        BLOB    NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (source, id)
);

CREATE TABLE releasegate_decision (
    id          TEXT    NOT NULL PRIMARY KEY,
    repo        TEXT    NOT NULL,
    environment TEXT    NOT NULL,
    release     TEXT    NOT NULL,
    sha         TEXT    NOT NULL,
    verdict     TEXT    NOT NULL,
    outcome     TEXT    NOT NULL DEFAULT '',
    report      TEXT    NOT NULL,
    markdown    TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    decided_at  INTEGER
);
CREATE INDEX releasegate_decision_recent ON releasegate_decision (created_at DESC, id DESC);
CREATE INDEX releasegate_decision_repo ON releasegate_decision (repo, environment, created_at DESC);

CREATE TABLE releasegate_pending_rule (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    repo            TEXT    NOT NULL,
    run_id          INTEGER NOT NULL,
    environment     TEXT    NOT NULL,
    sha             TEXT    NOT NULL,
    ref             TEXT    NOT NULL DEFAULT '',
    callback_url    TEXT    NOT NULL,
    installation_id INTEGER NOT NULL,
    deadline        INTEGER NOT NULL,
    state           TEXT    NOT NULL,
    claimed_by      TEXT,
    claimed_at      INTEGER,
    created_at      INTEGER NOT NULL,
    UNIQUE (repo, run_id, environment)
);
CREATE INDEX releasegate_pending_rule_deadline ON releasegate_pending_rule (state, deadline);

CREATE TABLE releasegate_effect (
    key        TEXT    NOT NULL PRIMARY KEY,
    owner      TEXT    NOT NULL,
    state      TEXT    NOT NULL,
    result     BLOB,
    created_at INTEGER NOT NULL,
    done_at    INTEGER
);
