package apifake

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"
)

func TestFaults(t *testing.T) {
	t.Parallel()
	var q Faults[string]
	q.Add("POST", "/api/0/*", 2, "twice")
	q.Add("", "/repos/*/pulls", 0, "always")
	steps := []struct {
		method, path string
		want         string
		ok           bool
	}{
		{"GET", "/api/0/x/", "", false},       // another method
		{"POST", "/api/0/x/", "twice", true},  // below the wildcard
		{"POST", "/api/0/y/z", "twice", true}, // the second and last hit
		{"POST", "/api/0/x/", "", false},      // spent, removed
		{"GET", "/repos/acme/pulls", "always", true},
		{"PUT", "/repos/acme/pulls", "always", true},
		{"GET", "/repos/acme/web/pulls", "", false}, // * is one segment in path.Match
	}
	for i, s := range steps {
		got, ok := q.Take(s.method, s.path)
		if got != s.want || ok != s.ok {
			t.Errorf("step %d: Take(%s %s) = %q, %v; want %q, %v", i+1, s.method, s.path, got, ok, s.want, s.ok)
		}
	}
	q.Clear()
	if _, ok := q.Take("GET", "/repos/acme/pulls"); ok {
		t.Error("a fault survived Clear")
	}
}

func TestFaultsConcurrent(t *testing.T) {
	t.Parallel()
	var q Faults[int]
	q.Add("", "", 10, 1)
	var mu sync.Mutex
	hits := 0
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if _, ok := q.Take("GET", "/x"); ok {
				mu.Lock()
				hits++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if hits != 10 {
		t.Fatalf("%d hits of a fault for 10", hits)
	}
}

func TestHoldAndRetryAfter(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if Hold(ctx, time.Hour) {
		t.Error("Hold outlived its client")
	}
	if !Hold(context.Background(), time.Millisecond) || !Hold(ctx, 0) {
		t.Error("Hold gave up without a reason")
	}
	h := http.Header{}
	SetRetryAfter(h, 1500*time.Millisecond)
	if h.Get("Retry-After") != "2" {
		t.Errorf("Retry-After %q, want 2 (rounded up)", h.Get("Retry-After"))
	}
	h = http.Header{}
	SetRetryAfter(h, 0)
	if _, set := h["Retry-After"]; set {
		t.Error("a zero wait set Retry-After")
	}
}
