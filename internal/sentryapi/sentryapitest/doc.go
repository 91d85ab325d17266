// Package sentryapitest is a local, in-memory Sentry for tests and demos: an HTTP server that
// speaks the parts of Sentry's Web API that releasegate uses, plus the envelope endpoint that
// the sentry-go SDK sends events to.
//
// It keeps what Sentry keeps and answers as Sentry answers:
//
//   - Organizations, projects (each with a DSN), teams, members, repositories and Sentry app
//     installations, seeded through Options and the Add… methods.
//   - Events, from sentry-go over POST /api/{project_id}/envelope/ (or /store/) or from
//     [Server.Ingest], grouped into issues by the exception type and the top in-app frame. An
//     issue keeps its short ID, title, culprit, first and last seen, count, users, first and
//     last release, status, assignee, environments and tag values; events keep their tags so
//     the issue search (is:, firstRelease:, release:, environment, tags, free text), tag values,
//     the embedded stats and events-timeseries answer from the same data.
//   - Sessions (from envelopes or [Server.RecordSession]) for the sessions API.
//   - Releases with commits, deploys and legacy release files, project ownership rules.
//   - Chunked uploads of artifact bundles exactly as sentry-cli 3.x performs them: chunk options
//     with an absolute URL, multipart chunk POSTs (gzip, SHA-1 names, size limits), assemble with
//     not_found/missingChunks, created, assembling, ok and error, and the assembled bundles kept
//     for assertions ([Server.Bundles]); the legacy release-bundle assemble of sentry-cli 2.x
//     turns a bundle into release files.
//
// Requests to the Web API need "Authorization: Bearer <token>" with a configured token; a token
// may be limited to scopes ([Server.AddToken]), as Sentry's organization tokens (org:ci) and
// internal integration tokens are. Each route takes exactly the scopes Sentry's permission
// class grants it (the API description's per-operation security, checked by the tests), and
// answers 403 to a token lacking them all; GET /api/0/ describes a token by its scopes, as
// Sentry's API root does. Errors have Sentry's shapes ({"detail": …} and friends). Lists
// paginate with Sentry's Link header.
//
// Every request is recorded ([Server.Requests]); a request no route knows answers 404 and is
// also kept in [Server.Unexpected], which [Start] turns into a test failure. Faults can be
// injected per route or globally ([Server.InjectFault]): error statuses, rate limits, slow
// replies, connections cut in the middle of the request or the response, and assemble jobs that
// hang and then fail.
//
// Where Sentry's code and its published OpenAPI description disagree, the server follows the
// code (PUT ownership answers 200; a project without rules has null raw and dates; a deploy
// without a name has a null name); the tests list each such place.
//
// Fidelity is tested rather than assumed: the package's tests validate every JSON response
// against Sentry's published OpenAPI description, run sentry-cli 3.8.0's sourcemaps upload
// against the server and check the bundle it reassembles, and send real events with sentry-go.
// The package itself uses only the standard library.
package sentryapitest
