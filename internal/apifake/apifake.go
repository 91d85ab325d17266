// Package apifake holds what the fake API servers (sentryapitest, githubapitest, jiratest)
// share: the queue of injected faults — which request a fault hits, how many times — and the
// small parts of misbehaving (holding an answer back, a Retry-After header). What a fault does
// stays each fake's, as its own Fault type.
package apifake

import (
	"context"
	"net/http"
	pathpkg "path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Faults is a fake's injected faults, tried in the order added: the first that matches a
// request applies to it. Its methods are safe for concurrent use.
type Faults[F any] struct {
	mu   sync.Mutex
	list []*fault[F]
}

type fault[F any] struct {
	fault        F
	method, path string
	left         int // remaining hits; -1 for unlimited
}

// Add queues f for requests of method ("" for any) whose path matches path (MatchPath); times
// is how many it hits, 0 for every one until Clear.
func (q *Faults[F]) Add(method, path string, times int, f F) {
	q.mu.Lock()
	defer q.mu.Unlock()
	left := times
	if left <= 0 {
		left = -1
	}
	q.list = append(q.list, &fault[F]{fault: f, method: method, path: path, left: left})
}

// Clear removes every fault.
func (q *Faults[F]) Clear() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.list = nil
}

// Take returns the fault for a request, counting the hit (a fault whose hits are spent is
// removed); false when none matches.
func (q *Faults[F]) Take(method, path string) (F, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, f := range q.list {
		if f.method != "" && f.method != method || !MatchPath(f.path, path) {
			continue
		}
		if f.left > 0 {
			f.left--
			if f.left == 0 {
				q.list = append(q.list[:i:i], q.list[i+1:]...)
			}
		}
		return f.fault, true
	}
	var zero F
	return zero, false
}

// MatchPath reports whether a request's path matches a fault's pattern: path.Match's syntax,
// a pattern ending in "*" matching every path below it, and "" every path.
func MatchPath(pattern, path string) bool {
	if pattern == "" {
		return true
	}
	if ok, _ := pathpkg.Match(pattern, path); ok {
		return true
	}
	prefix, wild := strings.CutSuffix(pattern, "*")
	return wild && strings.HasPrefix(path, prefix)
}

// Hold waits d before an answer; false when the client gave up first (nothing is to be
// written then).
func Hold(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// SetRetryAfter adds a Retry-After header of d in whole seconds, rounded up.
func SetRetryAfter(h http.Header, d time.Duration) {
	if d > 0 {
		h.Set("Retry-After", strconv.Itoa(int((d+time.Second-1)/time.Second)))
	}
}
