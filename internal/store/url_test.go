package store_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/internal/store"
)

func TestParseURL(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in   string
		want store.Location
		bad  bool
	}{
		"empty is the default file":     {in: "", want: store.Location{Engine: store.SQLite, Path: "./releasegate.db"}},
		"blank is the default file":     {in: "  ", want: store.Location{Engine: store.SQLite, Path: "./releasegate.db"}},
		"relative path":                 {in: "data/rg.db", want: store.Location{Engine: store.SQLite, Path: "data/rg.db"}},
		"absolute path":                 {in: "/var/lib/rg.db", want: store.Location{Engine: store.SQLite, Path: "/var/lib/rg.db"}},
		"sqlite URL, relative":          {in: "sqlite://rg.db", want: store.Location{Engine: store.SQLite, Path: "rg.db"}},
		"sqlite URL, absolute":          {in: "sqlite:///var/lib/rg.db", want: store.Location{Engine: store.SQLite, Path: "/var/lib/rg.db"}},
		"sqlite short form":             {in: "sqlite:rg.db", want: store.Location{Engine: store.SQLite, Path: "rg.db"}},
		"scheme in capitals":            {in: "SQLITE://rg.db", want: store.Location{Engine: store.SQLite, Path: "rg.db"}},
		"postgres":                      {in: "postgres://u@db:5432/rg?sslmode=require", want: store.Location{Engine: store.Postgres, URL: "postgres://u@db:5432/rg?sslmode=require"}},
		"postgresql":                    {in: "postgresql://db/rg", want: store.Location{Engine: store.Postgres, URL: "postgresql://db/rg"}},
		"unknown scheme":                {in: "mysql://db/rg", bad: true},
		"memory":                        {in: "sqlite::memory:", bad: true},
		"memory, long form":             {in: "sqlite://:memory:", bad: true},
		"file URI":                      {in: "sqlite:file:rg.db?mode=memory", bad: true},
		"sqlite without a path":         {in: "sqlite://", bad: true},
		"query in a path":               {in: "rg.db?_pragma=foo", bad: true},
		"fragment in a path":            {in: "rg.db#x", bad: true},
		"NUL in a path":                 {in: "rg\x00.db", bad: true},
		"windows drive is a plain path": {in: `C:\data\rg.db`, want: store.Location{Engine: store.SQLite, Path: `C:\data\rg.db`}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := store.ParseURL(tc.in)
			if tc.bad {
				if !errors.Is(err, store.ErrBadURL) {
					t.Errorf("ParseURL(%q) = %+v, %v; want ErrBadURL", tc.in, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("ParseURL(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			}
		})
	}
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"", "rg.db", "sqlite://rg.db", "sqlite:///a/b.db", "postgres://u@h/db?sslmode=disable", "x://y", "sqlite::memory:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		loc, err := store.ParseURL(in)
		if err != nil {
			if !errors.Is(err, store.ErrBadURL) {
				t.Fatalf("ParseURL(%q): error %v does not wrap ErrBadURL", in, err)
			}
			return
		}
		switch loc.Engine {
		case store.SQLite:
			// The path goes into the driver's DSN: it must not carry options of its own.
			if loc.Path == "" || loc.URL != "" || strings.ContainsAny(loc.Path, "?#\x00") || strings.Contains(loc.Path, ":memory:") {
				t.Fatalf("ParseURL(%q) = %+v: not a usable file path", in, loc)
			}
		case store.Postgres:
			if loc.URL != strings.TrimSpace(in) || loc.Path != "" {
				t.Fatalf("ParseURL(%q) = %+v: the URL must pass through unchanged", in, loc)
			}
		default:
			t.Fatalf("ParseURL(%q) = %+v: no engine", in, loc)
		}
	})
}
