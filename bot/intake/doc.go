// Package intake receives the webhooks: GitHub's (X-Hub-Signature-256) and Sentry's
// (Sentry-Hook-Signature). A delivery is verified against the raw bytes, capped in size, and
// answered 2xx only once it is durably stored; a redelivery is acknowledged and not processed
// again; a bad signature is a 401 that stores nothing.
package intake
