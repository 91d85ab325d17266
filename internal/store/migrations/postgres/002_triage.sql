-- The triage bot's durable links (issue 16). One row per Sentry issue (per owner): the
-- suspect pull request, the Jira ticket and the claim on creating it; and one row per pull
-- request for its one comment and the claim on posting it. Claims are state columns moved
-- by one conditional UPDATE each, so that of racing workers exactly one wins; see
-- triage.go. Repositories are stored in lower case: GitHub compares them ignoring case.

CREATE TABLE releasegate_triage_link (
    owner        TEXT    NOT NULL,
    issue_id     TEXT    NOT NULL,
    short_id     TEXT    NOT NULL DEFAULT '',
    repo         TEXT    NOT NULL DEFAULT '',
    pr_number    BIGINT  NOT NULL DEFAULT 0,
    ticket_state TEXT    NOT NULL DEFAULT 'none',
    jira_key     TEXT    NOT NULL DEFAULT '',
    claimed_by   TEXT    NOT NULL DEFAULT '',
    claimed_at   BIGINT,
    fix_repo     TEXT    NOT NULL DEFAULT '',
    fix_pr       BIGINT  NOT NULL DEFAULT 0,
    resolved_at  BIGINT,
    ticket_at    BIGINT,
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL,
    PRIMARY KEY (owner, issue_id)
);
CREATE INDEX releasegate_triage_link_pr ON releasegate_triage_link (repo, pr_number, created_at DESC);
CREATE INDEX releasegate_triage_link_short ON releasegate_triage_link (owner, short_id);

CREATE TABLE releasegate_pr_comment (
    repo        TEXT    NOT NULL,
    pr_number   BIGINT  NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'none',
    comment_id  BIGINT  NOT NULL DEFAULT 0,
    claimed_by  TEXT    NOT NULL DEFAULT '',
    claimed_at  BIGINT,
    posted_at   BIGINT,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL,
    PRIMARY KEY (repo, pr_number)
);
