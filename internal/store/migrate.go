package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Our tables' migrations, one folder per engine: the DDL differs (BLOB or BYTEA, how an
// identity column is spelt) while the queries run on both.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFS embed.FS

// migration is one numbered SQL file of ours.
type migration struct {
	version int
	name    string
	sql     string
}

// ErrNotMigrated is wrapped by Ready when the database lacks migrations this binary needs.
var ErrNotMigrated = errors.New("store: migrations not applied")

// loadMigrations reads the engine's migrations, named NNN_what.sql, in version order.
func loadMigrations(e Engine) ([]migration, error) {
	dir := path.Join("migrations", string(e))
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("store: read embedded migrations: %w", err)
	}
	var ms []migration
	for _, ent := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(ent.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("store: embedded migration %s is not named NNN_what.sql", ent.Name())
		}
		body, err := fs.ReadFile(migrationFS, path.Join(dir, ent.Name()))
		if err != nil {
			return nil, fmt.Errorf("store: read embedded migration: %w", err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("store: embedded migrations skip from %d to %d", i, m.version)
		}
	}
	return ms, nil
}

const createMigrationTable = `CREATE TABLE IF NOT EXISTS releasegate_migration (
    version    BIGINT NOT NULL PRIMARY KEY,
    name       TEXT   NOT NULL,
    applied_at BIGINT NOT NULL
)`

// applyMigrations applies each of ours not yet recorded, each in its own transaction with
// its record, so a crash leaves either both or neither. The caller excludes other
// migrators (an advisory lock on Postgres; on SQLite every write transaction is IMMEDIATE,
// so the check below already holds the database's one write lock).
func applyMigrations(ctx context.Context, e engine, ms []migration, now time.Time) error {
	if _, err := e.exec(ctx, createMigrationTable); err != nil {
		return fmt.Errorf("store: create the migration table: %w", err)
	}
	for _, m := range ms {
		if err := applyOne(ctx, e, m, now); err != nil {
			return err
		}
	}
	return nil
}

func applyOne(ctx context.Context, e engine, m migration, now time.Time) (err error) {
	tx, err := e.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: migration %03d: %w", m.version, err)
	}
	defer func() {
		if err != nil {
			_ = tx.rollback(ctx)
		}
	}()
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM releasegate_migration WHERE version = ?`, m.version).Scan(&n); err != nil {
		return fmt.Errorf("store: migration %03d: %w", m.version, err)
	}
	if n > 0 {
		return tx.rollback(ctx)
	}
	if _, err := tx.exec(ctx, m.sql); err != nil {
		return fmt.Errorf("store: apply migration %03d_%s: %w", m.version, m.name, err)
	}
	if _, err := tx.exec(ctx, `INSERT INTO releasegate_migration (version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, m.name, micros(now)); err != nil {
		return fmt.Errorf("store: record migration %03d: %w", m.version, err)
	}
	if err := tx.commit(ctx); err != nil {
		return fmt.Errorf("store: commit migration %03d: %w", m.version, err)
	}
	return nil
}

// appliedVersion is the highest of our migrations the database has.
func appliedVersion(ctx context.Context, q querier) (int, error) {
	var v int64
	if err := q.queryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM releasegate_migration`).Scan(&v); err != nil {
		return 0, err
	}
	return int(v), nil
}

// micros is how this package stores a time: unix microseconds, UTC.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros reads a stored time back, in UTC.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }
