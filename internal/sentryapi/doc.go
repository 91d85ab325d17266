// Package sentryapi is releasegate's client for the Sentry Web API (`/api/0/`): the chunk upload
// protocol and artifact-bundle assembly that source map uploads use, releases with their commits
// and deploys, issue search and details, an issue's latest or recommended event and tag values,
// release health (sessions, events time series), project ownership, teams and members, and the
// external-issue links a Sentry integration keeps on an issue.
//
// # Connecting
//
// [New] builds a [Client] from [Options]: the Sentry root URL (sentry.io, a region host such as
// https://de.sentry.io, or a self-hosted install under a path prefix such as
// https://example.com/sentry/), an auth token sent as `Authorization: Bearer`, and a user agent.
// Every call resolves against `<base>/api/0/`, and path segments (organization and project slugs,
// release versions, tag keys) are percent-encoded, so a version like `app@1.0+build 7` is safe.
//
// # Reliability
//
// The HTTP transport is a chain of small [net/http.RoundTripper] middlewares: auth and user agent
// headers, debug logging (with the Authorization header redacted), and retries. Calls that are
// safe to repeat (GET, PUT, DELETE, chunk uploads, assemble) are retried with exponential backoff
// and jitter on 5xx answers and network errors; a create (release, deploy, release file) is not,
// because it may already have happened. A 429 is retried for every call, after the wait that
// Sentry asks for (`Retry-After`, else `X-Sentry-Rate-Limit-Reset`), since a rate-limited request
// was never processed. The answer of a call that is safe to repeat is read in full before it is
// decoded, so a connection cut in the middle of it is retried too. An attempt that makes no
// progress for [Options.StallTimeout] (connecting, sending, waiting for or reading the answer) is
// abandoned with a [*StallError], whatever transport the caller supplied, so a server that takes
// a request and never answers cannot hang a call. Every method takes a [context.Context] first and
// stops waiting as soon as it is done.
//
// # Lists
//
// List methods follow Sentry's `Link` header pagination, only while the next link says
// `results="true"`, and hand each page to a callback; the callback returns [ErrStop] to stop early.
//
// # Errors
//
// A failed call returns an [*APIError] naming the call, the request, the status, Sentry's
// `detail` and what to do about it (for a 401 or 403, every token scope that grants the call,
// as Sentry's permission classes do, and the organization or project it needs). It matches
// [ErrUnauthorized], [ErrForbidden], [ErrNotFound], [ErrConflict] and [ErrRateLimited] with
// [errors.Is], and [ErrMisconfigured] when the answer is the caller's configuration to fix (a
// 401, a 403, a 404 of the organization, project, release or team) rather than Sentry's health.
// [Client.TokenAuth] reads a token's scopes from the API root. The token never appears in an error, a log line or a formatted [Options] or
// [Client].
package sentryapi
