// Package bot is the GitHub App: `releasegate serve`. It wires the webhook intake, the durable
// jobs, and the deployment protection rule onto the same core the CLI uses — the gate's policy
// (gate), its evaluation against Sentry (internal/gateevidence), ownership loaded from a
// commit's files (ownership, internal/issueowners) — and turns the outcomes into GitHub's
// answers: a review of the protection rule, a check run, a decision page.
//
// Its own decisions are made by pure packages beneath it (bot/protection: what to do about a
// rule at each look); this package reads, calls and stores. Every outside call that must happen
// once (a review, a check run's creation, a progress report) goes through the store's effects
// ledger, so a job retried after a crash, a redelivered webhook or a second replica does not
// repeat it.
package bot
