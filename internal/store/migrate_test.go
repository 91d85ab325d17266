package store_test

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"

	"github.com/releasegate/releasegate/internal/store"
)

func TestMigrationsAreIdempotent(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, url string) {
		first := openStore(t, url, store.Options{})
		if _, err := first.Accept(t.Context(), delivery("kept")); err != nil {
			t.Fatal(err)
		}
		_ = first.Close()
		// Reopening migrates nothing and keeps the data.
		again := openStore(t, url, store.Options{})
		if err := again.Ready(t.Context()); err != nil {
			t.Fatalf("Ready after reopening: %v", err)
		}
		if _, err := again.Delivery(t.Context(), store.SourceGitHub, "kept"); err != nil {
			t.Errorf("the delivery did not survive reopening: %v", err)
		}
	})
}

func TestMigrationsRunConcurrently(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, url string) {
		// Replicas starting at once on a new database.
		const replicas = 4
		stores := make([]*store.Store, replicas)
		errs := make([]error, replicas)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range replicas {
			wg.Go(func() {
				<-start
				stores[i], errs[i] = store.Open(t.Context(), url, store.Options{})
			})
		}
		close(start)
		wg.Wait()
		for i, s := range stores {
			if errs[i] != nil {
				t.Errorf("replica %d: Open: %v", i, errs[i])
				continue
			}
			if err := s.Ready(t.Context()); err != nil {
				t.Errorf("replica %d: Ready: %v", i, err)
			}
			_ = s.Close()
		}
	})
}

func TestReady(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, url string) {
		s, err := store.Open(t.Context(), url, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Ready(t.Context()); err != nil {
			t.Fatalf("Ready on a fresh store: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := s.Ready(t.Context()); err == nil {
			t.Error("Ready on a closed store succeeded")
		}
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if err := s.Ready(ctx); err == nil {
			t.Error("Ready with a cancelled context succeeded")
		}
	})
}

func TestOpenRejectsBadURLs(t *testing.T) {
	t.Parallel()
	for name, url := range map[string]string{
		"other scheme": "mysql://localhost/db",
		"in memory":    "sqlite://:memory:",
		"no file":      "sqlite://",
		"options":      "releasegate.db?mode=ro",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if _, err := store.Open(t.Context(), url, store.Options{}); !errors.Is(err, store.ErrBadURL) {
				t.Errorf("Open(%q) error = %v, want ErrBadURL", url, err)
			}
		})
	}
}

func TestReadyFailsWhenMigrationsAreMissing(t *testing.T) {
	t.Parallel()
	path := engineURLs()["sqlite"](t)
	s := openStore(t, path, store.Options{})
	// Another process (an older binary's rollback, a hand edit) removed our last migration's
	// record: /readyz must say so rather than serve on a schema it does not know.
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(t.Context(), `DELETE FROM releasegate_migration`); err != nil {
		t.Fatal(err)
	}
	if err := s.Ready(t.Context()); !errors.Is(err, store.ErrNotMigrated) {
		t.Errorf("Ready = %v, want ErrNotMigrated", err)
	}
}
