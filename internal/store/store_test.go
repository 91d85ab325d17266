package store_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/releasegate/releasegate/internal/store"
	"github.com/releasegate/releasegate/internal/testenv"
)

// defaultPostgresURL is the Postgres that .ci/run and the development machines provide:
// 127.0.0.1:5432, database test, trust auth. RELEASEGATE_TEST_POSTGRES_URL overrides it.
const defaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

var (
	pgOnce  sync.Once
	pgAdmin *pgxpool.Pool
	pgBase  string
	pgErr   error
)

// postgresAdmin connects once per test binary to the Postgres the tests use, or reports why
// it cannot.
func postgresAdmin() (*pgxpool.Pool, string, error) {
	pgOnce.Do(func() {
		pgBase = os.Getenv("RELEASEGATE_TEST_POSTGRES_URL")
		if pgBase == "" {
			pgBase = defaultPostgresURL
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		pgAdmin, pgErr = pgxpool.New(ctx, pgBase)
		if pgErr == nil {
			pgErr = pgAdmin.Ping(ctx)
		}
	})
	return pgAdmin, pgBase, pgErr
}

// engineURLs gives a fresh, empty database URL per engine: an SQLite file in a temporary
// folder, and a Postgres schema of its own (dropped when the test ends), so that tests run
// in parallel without seeing each other's rows. Postgres is skipped when it is not
// reachable, and fails the test under RELEASEGATE_REQUIRE_PEERS=1.
func engineURLs() map[string]func(t testing.TB) string {
	return map[string]func(t testing.TB) string{
		"sqlite": func(t testing.TB) string {
			t.Helper()
			return filepath.Join(t.TempDir(), "releasegate.db")
		},
		"postgres": freshPostgres,
	}
}

func freshPostgres(t testing.TB) string {
	t.Helper()
	admin, base, err := postgresAdmin()
	if err != nil {
		testenv.Missing(t, "PostgreSQL at 127.0.0.1:5432 (database test, trust auth)",
			"start it (or point RELEASEGATE_TEST_POSTGRES_URL at another; error: "+err.Error()+")")
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "rg_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(t.Context(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	// A small pool: the tests run many stores at once, beside other packages' tests, on a
	// server with 100 connections.
	return base + sep + "search_path=" + schema + "&pool_max_conns=4"
}

// forEachEngine runs fn as a parallel subtest per engine, with a fresh database URL.
func forEachEngine(t *testing.T, fn func(t *testing.T, url string)) {
	t.Helper()
	for name, fresh := range engineURLs() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, fresh(t))
		})
	}
}

// openStore opens a store on url, closed (and stopped) when the test ends.
func openStore(t testing.TB, url string, opts store.Options) *store.Store {
	t.Helper()
	s, err := store.Open(t.Context(), url, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = s.Stop(ctx)
		_ = s.Close()
	})
	return s
}

// at is a fixed instant for the times the tests store.
var at = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }
