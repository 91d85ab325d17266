// Package pages serves the decision pages: /decisions (recent decisions, filterable by
// repository, environment and verdict) and /decisions/{id} (one decision: its checks, the
// failing and pending issues with their owners, and a chart), server-rendered HTML that reads
// well without JavaScript. Reports show production errors, so every page needs either a link
// the service signed (expiring; review comments and check runs carry one) or the service's
// shared secret, given as HTTP Basic credentials (any user name).
package pages
