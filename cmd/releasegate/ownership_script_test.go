package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
)

// TestOwnershipScripts runs testdata/ownership/*.txtar against a local Sentry started for
// each script: organization acme with projects web and billing; teams frontend (web),
// backend (web, billing) and payments (billing); members alice@example.com (frontend),
// bob@example.com (backend, billing access) and carol@example.com (no team). SENTRY_URL and
// SENTRY_AUTH_TOKEN point at it ($SENTRY_TEST_TOKEN keeps the token, to restore it after
// trying others). The `sentry` command inspects and seeds it:
//
//	sentry ownership PROJECT        print the project's rules and settings as Sentry has them
//	sentry put PROJECT FILE         store FILE as the project's rules, as the Sentry UI would
//	sentry requests METHOD          print how many requests of METHOD reached ownership routes
//	sentry ingest PROJECT FILE URL  store a TypeError raised in FILE on a request to URL; print its short ID
//	sentry token NAME SCOPE...      accept the token NAME with only these scopes
//	sentry down                     answer every request with 503 from now on
//
// `exits N cmd args…` runs a command that must exit with status N (testscript's `exec` only
// tells zero from non-zero); stdout and stderr can be matched after it as after exec.
//
// A request the fake does not serve fails the script.
func TestOwnershipScripts(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "ownership"),
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		// -update rewrites the files cmp compares with, inside the .txtar archives.
		UpdateScripts: *update,
		Setup: func(env *testscript.Env) error {
			srv := sentryapitest.New(sentryapitest.Options{Org: "acme", Projects: []string{"web", "billing"}})
			srv.AddTeam("acme", "frontend", "web")
			srv.AddTeam("acme", "backend", "web", "billing")
			srv.AddTeam("acme", "payments", "billing")
			srv.AddMember("acme", "alice@example.com", "frontend")
			srv.AddMember("acme", "bob@example.com", "backend")
			srv.AddMember("acme", "carol@example.com")
			env.Values["sentry"] = srv
			env.Defer(func() {
				srv.Close()
				for _, r := range srv.Unexpected() {
					env.T().Fatal(fmt.Sprintf("sentryapitest: unexpected request %s %s (answered %d)", r.Method, r.Path, r.Status))
				}
			})
			env.Setenv("REPO", root)
			env.Setenv("NO_COLOR", "")
			env.Setenv("HOME", filepath.Join(env.WorkDir, ".home"))
			env.Setenv("SENTRY_URL", srv.URL())
			env.Setenv("SENTRY_AUTH_TOKEN", srv.Token())
			env.Setenv("SENTRY_TEST_TOKEN", srv.Token()) // to restore it after trying others
			for _, k := range []string{"SENTRY_ORG", "SENTRY_PROJECT", "SENTRY_PROPERTIES", "SENTRY_RELEASE"} {
				env.Setenv(k, "")
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"sentry": sentryScriptCmd,
			"exits":  exitsCmd,
		},
	})
}

func sentryScriptCmd(ts *testscript.TestScript, neg bool, args []string) {
	srv := ts.Value("sentry").(*sentryapitest.Server)
	if neg {
		ts.Fatalf("sentry does not support !")
	}
	if len(args) == 0 {
		ts.Fatalf("usage: sentry ownership|put|requests|down ...")
	}
	switch {
	case args[0] == "ownership" && len(args) == 2:
		own, ok := srv.Ownership(args[1])
		if !ok {
			ts.Fatalf("no project %q", args[1])
		}
		fmt.Fprintf(ts.Stdout(), "fallthrough=%t autoAssignment=%q codeownersAutoSync=%t\n%s\n", own.Fallthrough, own.AutoAssignment, own.CodeownersAutoSync, own.Raw)
	case args[0] == "put" && len(args) == 3:
		raw, err := os.ReadFile(ts.MkAbs(args[2]))
		ts.Check(err)
		body, _ := json.Marshal(map[string]string{"raw": string(raw)})
		req, err := http.NewRequest(http.MethodPut, srv.URL()+"/api/0/projects/acme/"+args[1]+"/ownership/", bytes.NewReader(body))
		ts.Check(err)
		req.Header.Set("Authorization", "Bearer "+srv.Token())
		req.Header.Set("Content-Type", "application/json")
		resp, err := srv.Client().Do(req)
		ts.Check(err)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			ts.Fatalf("seeding the rules of %s: status %d", args[1], resp.StatusCode)
		}
	case args[0] == "requests" && len(args) == 2:
		n := 0
		for _, r := range srv.Requests() {
			if r.Method == args[1] && strings.HasSuffix(r.Path, "/ownership/") {
				n++
			}
		}
		fmt.Fprintf(ts.Stdout(), "%d\n", n)
	case args[0] == "ingest" && len(args) == 4:
		res, err := srv.Ingest(args[1], sentryapitest.Event{
			Platform: "javascript", RequestURL: args[3],
			Exceptions: []sentryapitest.Exception{{Type: "TypeError", Value: "x is undefined", Frames: []sentryapitest.Frame{
				{Function: "main", Filename: "node_modules/react/index.js", InApp: false},
				{Function: "handler", Filename: args[2], AbsPath: "webpack://web/./" + args[2], InApp: true},
			}}},
		})
		ts.Check(err)
		fmt.Fprintf(ts.Stdout(), "%s\n", res.ShortID)
	case args[0] == "token" && len(args) >= 3:
		srv.AddToken(args[1], args[2:]...)
	case args[0] == "down" && len(args) == 1:
		srv.InjectFault(sentryapitest.Fault{Status: http.StatusServiceUnavailable})
	default:
		ts.Fatalf("unknown sentry command %q", strings.Join(args, " "))
	}
}

// exitsCmd runs a command and checks its exit status.
func exitsCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits N command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("%s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}
