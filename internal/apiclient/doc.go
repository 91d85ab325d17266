// Package apiclient holds what every API client of releasegate shares (Sentry's, GitHub's,
// Jira's, the chat model's), so that the rules credentials and retries live by are written
// once: the origin a credential is bound to (scheme, host and port), which hosts are this
// machine (where plain http is read by nobody else), which requests may be sent twice, the
// backoff between tries, a server's Retry-After, and the retry loop that bounds each attempt
// and buffers its answer. What differs between the APIs — how each says "rate limited", which
// errors are its own — stays in each client, as the Decide function it gives Retry.
package apiclient
