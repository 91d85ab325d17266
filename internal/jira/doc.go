// Package jira is releasegate's Jira client: the few calls the triage bot makes (create an
// issue, read it, comment, upsert a remote link, search by JQL, assign, transition by name),
// for Jira Cloud (REST v3, Atlassian Document Format, HTTP Basic with an email and API token)
// and Jira Data Center (REST v2, wiki markup, a personal access token as Bearer), behind one
// constructor.
//
// Text goes in as a richtext.Doc, the project's one format-neutral document (paragraphs,
// headings, code blocks, bullet lists, task lists, links), which the client renders to ADF or
// wiki markup for the flavour it talks to ([ADF], [Wiki]): Jira's formats are the Jira
// adapter's, as GitHub Markdown is richtext's own.
//
// The token is sent only to the configured origin (never across a redirect to another host)
// and never over plain http off this machine unless Options.AllowInsecure; calls are retried
// with backoff after rate limits (429 and Retry-After) and, where a second send does no harm,
// after server errors; each attempt has its own timeout. Failures are typed: [*APIError]
// carries Jira's errorMessages and field errors and states its errkind (a refused token, a
// missing project or issue, a rejected field: config; an outage or a rate limit that outlasted
// the retries: undecided).
//
// It is a small client of our own rather than go-jira v1.17, which speaks only v2 and cannot
// page Cloud's /search/jql; docs/design-departures.md says why in full.
package jira
