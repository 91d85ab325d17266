package store

import (
	"errors"
	"fmt"
	"strings"
)

// Engine names the database behind a Store.
type Engine string

// The two engines a Store runs on.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DefaultSQLitePath is where the store lives when no database URL is given.
const DefaultSQLitePath = "./releasegate.db"

// ErrBadURL is wrapped by every error about a database URL that cannot be used.
var ErrBadURL = errors.New("store: bad database URL")

// Location is a parsed database URL: which engine, and how to reach it.
type Location struct {
	Engine Engine
	// Path is the SQLite file (relative paths resolve against the process's working
	// directory, as for any file name); empty for Postgres.
	Path string
	// URL is the Postgres connection string, as given; empty for SQLite.
	URL string
}

// ParseURL reads the database URL a person gives `releasegate serve`: empty for
// ./releasegate.db, a file path or sqlite:// URL for another SQLite file, postgres:// or
// postgresql:// for Postgres (passed to pgx unchanged, so its query parameters such as
// sslmode, search_path and pool_max_conns apply).
func ParseURL(raw string) (Location, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return Location{Engine: SQLite, Path: DefaultSQLitePath}, nil
	}
	lower := strings.ToLower(raw)
	switch {
	case strings.HasPrefix(lower, "postgres://"), strings.HasPrefix(lower, "postgresql://"):
		return Location{Engine: Postgres, URL: raw}, nil
	case strings.HasPrefix(lower, "sqlite:"):
		return sqliteLocation(raw, strings.TrimPrefix(raw[len("sqlite:"):], "//"))
	case strings.Contains(raw, "://"):
		scheme, _, _ := strings.Cut(raw, "://")
		return Location{}, fmt.Errorf("%w: scheme %q is not supported; give a file path or sqlite:// URL for SQLite, or a postgres:// URL", ErrBadURL, scheme)
	default:
		return sqliteLocation(raw, raw)
	}
}

// sqliteLocation checks a SQLite file name. The name goes into the driver's DSN, where a
// '?' starts the options and ":memory:" is a database that vanishes with its connection.
func sqliteLocation(raw, path string) (Location, error) {
	switch {
	case path == "":
		return Location{}, fmt.Errorf("%w: %q names no file; give a path such as sqlite://releasegate.db", ErrBadURL, raw)
	case strings.Contains(path, ":memory:") || strings.HasPrefix(path, "file:"):
		return Location{}, fmt.Errorf("%w: %q is not a file; the store must outlive the process, so give a file path", ErrBadURL, raw)
	case strings.ContainsAny(path, "?#\x00"):
		return Location{}, fmt.Errorf("%w: the SQLite path %q contains '?', '#' or NUL, which the driver would read as options; rename the file", ErrBadURL, path)
	}
	return Location{Engine: SQLite, Path: path}, nil
}
