// Package chatapi is releasegate's client of an OpenAI-compatible Chat Completions endpoint
// (POST {base}/chat/completions), and the model suggester built on it: when configured (it
// is off by default), a second opinion after the rules of bot/suggest, held to their
// contract — the same abstentions, a unified diff that must apply to the file at the commit
// and leave it parseable, results labelled "model" — and rationed by a daily Budget.
//
// The request keeps to what every compatible server accepts (model, messages, temperature 0,
// max_tokens, response_format json_object). The key goes only to the configured origin, as a
// Bearer token, never across a redirect to another origin and never over plain http off this
// machine; it is scrubbed from whatever a server echoes back, and no error or log line holds
// it. Rate limits (429, Retry-After or retry-after-ms) and server errors are retried a
// bounded number of times; a timed-out call is not, since it may have been answered and
// billed. Failures are typed: NetworkError, APIError (the server's status and message),
// RedirectError, ProtocolError (null, HTML, truncated JSON, no choices) and RefusalError
// (message.refusal, or finish_reason "content_filter").
//
// It is a small client of our own rather than an SDK: the one call needs no more than
// net/http, and an SDK would bring OpenAI-only fields and its own retries and redirects into
// the key's path. chatapitest is a fake server validated against our own description of
// the subset used (chatapitest/openapi.yaml; docs/design-departures.md says why it is ours).
package chatapi
