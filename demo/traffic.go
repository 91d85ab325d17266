package demo

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/releasegate/releasegate/sourcemaps"
)

// traffic is what the app's users run into while a version is deployed: errors sent by the
// real sentry-go SDK, each with the request, tenant and user on its scope.
type traffic struct {
	Exception sentry.Exception
	Events    int
	Tenants   []string
	Users     int
	// From and Until bound the events' timestamps (spread evenly between them).
	From, Until time.Time
}

// send captures the traffic's events through sentry-go (its synchronous transport, so each is
// in the local Sentry when send returns) and returns how many Sentry accepted.
func send(dsn string, v version, environment string, tr traffic) (int, error) {
	client, err := sentry.NewClient(sentry.ClientOptions{
		Dsn: dsn, Release: v.Release(), Environment: environment, Transport: sentry.NewHTTPSyncTransport(),
	})
	if err != nil {
		return 0, fmt.Errorf("the sentry-go client for %s: %w", dsn, err)
	}
	sent := 0
	span := tr.Until.Sub(tr.From)
	for i := range tr.Events {
		scope := sentry.NewScope()
		scope.SetTag("request_id", fmt.Sprintf("req-%s-%04d", v.Name, i+1))
		tenant := tr.Tenants[i%len(tr.Tenants)]
		scope.SetTag("tenant_id", tenant)
		scope.SetUser(sentry.User{ID: fmt.Sprintf("%s-user-%d", tenant, i%tr.Users+1)})
		ev := sentry.NewEvent()
		ev.Platform = "javascript"
		ev.Level = sentry.LevelError
		ev.Timestamp = tr.From.Add(span * time.Duration(i) / time.Duration(tr.Events))
		ev.Exception = []sentry.Exception{tr.Exception}
		if id := sentry.NewHub(client, scope).CaptureEvent(ev); id != nil {
			sent++
		}
	}
	if !client.Flush(10 * time.Second) {
		return sent, fmt.Errorf("sentry-go did not deliver its events to %s within 10s", dsn)
	}
	return sent, nil
}

// throwSite is where the browser raises an error in a deployed build: the first place a
// property is read in a generated file, located by its text, and that position resolved
// through the build's source map as Sentry resolves a minified frame.
type throwSite struct {
	Generated        string // the generated file, relative to the workspace
	Line, Column     int    // in the generated file, 1-based
	Source           string // the original file, relative to the workspace
	SourceLine       int
	SourceColumn     int
	SourceLineText   string
	FunctionOriginal string
}

// findThrowSite finds access (".code", say) in the build's generated files under dir and
// resolves it through the uploaded map.
func findThrowSite(dir, access string) (throwSite, error) {
	files, err := minifiedFiles(dir)
	if err != nil {
		return throwSite{}, fmt.Errorf("listing the build in %s: %w", dir, err)
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f)))
		if err != nil {
			return throwSite{}, err
		}
		at := bytes.Index(data, []byte(access))
		if at < 0 {
			continue
		}
		before := data[:at+1] // the column of the property's name, as V8 reports it
		line := bytes.Count(before, []byte("\n")) + 1
		col := len([]rune(string(before[bytes.LastIndexByte(before, '\n')+1:]))) + 1
		m, mapPath, err := sourcemaps.LoadMapFor(f, sourcemaps.LoadMapOptions{Dir: dir})
		if err != nil {
			return throwSite{}, err
		}
		res := sourcemaps.Resolve(m, line, col)
		if !res.Mapped {
			return throwSite{}, fmt.Errorf("%s:%d:%d maps to nothing in %s", f, line, col, mapPath)
		}
		return throwSite{
			Generated: f, Line: line, Column: col,
			Source: sourcemaps.LocalSourcePath(mapPath, res.SourceResolved), SourceLine: res.OriginalLine, SourceColumn: res.OriginalColumn,
			SourceLineText: strings.TrimRight(res.Context, "\r\n"), FunctionOriginal: res.Name,
		}, nil
	}
	return throwSite{}, fmt.Errorf("no generated file under %s/dist reads %q", dir, access)
}

// frame is the site as Sentry shows it once the map is applied.
func (s throwSite) frame(function string) sentry.Frame {
	return sentry.Frame{
		Function: function, Filename: s.Source, AbsPath: "app:///" + s.Source,
		Lineno: s.SourceLine, Colno: s.SourceColumn, ContextLine: s.SourceLineText, InApp: true,
	}
}
