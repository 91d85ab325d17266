// Package soak holds the scale-and-faults test of `releasegate serve`: the real binary, several
// processes on one database, thousands of signed deliveries, one process killed with SIGKILL
// half-way and restarted, and the effects counted at the fake GitHub afterwards. It has no
// code of its own; the test is in soak_test.go.
package soak
