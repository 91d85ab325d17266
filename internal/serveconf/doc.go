// Package serveconf is the configuration of `releasegate serve`, the GitHub App service: the
// GitHub App's credentials, the listen address and store, the secrets guarding the service's
// endpoints, and each installation's Sentry connection, keyed by the GitHub owner that installed
// the App.
//
// Values come from flags, then RELEASEGATE_* variables, then the service's YAML file (only the
// installations live there); every secret can instead be read from a file named by the same
// variable with a _FILE suffix, as container secret stores mount them. Load reads through
// functions it is given (getenv, readFile), so tests and the service build configurations
// without touching the process. A Secret never prints its value.
package serveconf
