// Package store is the durable state of `releasegate serve` and its job queue: webhook
// deliveries, decisions, pending deployment protection rules and the effects ledger, with
// River's jobs beside them in the same database, so that storing a thing and enqueuing its
// work commit together.
//
// It runs on SQLite by default (./releasegate.db, WAL, pure Go: nothing to install), or on
// Postgres given a postgres:// URL, where any number of replicas share the tables and River
// elects one leader for the periodic jobs. Open applies River's migrations and ours, both
// embedded; replicas starting at once take turns.
//
// The store knows no bot logic: the bot registers its workers and periodic jobs in Options,
// and receives DeliveryArgs jobs for what Accept stored. Outside calls that must happen
// once go through the effects ledger (BeginEffect, ClaimReview, CompleteEffect), whose doc
// comment gives the exactly-once reasoning. The triage bot's links (a Sentry issue, its
// suspect PR, its one Jira ticket and that PR's one comment) are claimed the same way
// (ClaimTicket, ClaimComment), with a lease so that an abandoned claim is taken over.
package store
