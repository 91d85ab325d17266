package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// TestAppDocsListEverySetting keeps docs/app.md's reference complete: every RELEASEGATE_*
// variable the service's configuration and the app commands read, and every flag of serve,
// app setup and app healthcheck.
func TestAppDocsListEverySetting(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/app.md")
	if err != nil {
		t.Fatal(err)
	}
	sources, err := filepath.Glob("../../internal/serveconf/*.go")
	if err != nil {
		t.Fatal(err)
	}
	sources = append(sources, "serve.go", "app.go", "app_setup.go")
	variable := regexp.MustCompile(`"(RELEASEGATE_[A-Z_]+)"`)
	seen := map[string]bool{}
	for _, src := range sources {
		if strings.HasSuffix(src, "_test.go") {
			continue
		}
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range variable.FindAllStringSubmatch(string(data), -1) {
			seen[m[1]] = true
		}
	}
	if len(seen) < 10 {
		t.Fatalf("found only %d variables in %v: has the configuration moved?", len(seen), sources)
	}
	for v := range seen {
		if !strings.Contains(string(doc), "`"+v) {
			t.Errorf("docs/app.md does not list %s", v)
		}
	}
	f := newCLIEnv(t, nil).factory(&IOStreams{})
	for _, cmd := range []struct {
		name  string
		flags *pflag.FlagSet
	}{
		{"serve", newServeCmd(f).Flags()},
		{"app setup", newAppSetupCmd(f).Flags()},
		{"app healthcheck", newAppHealthcheckCmd(f).Flags()},
	} {
		cmd.flags.VisitAll(func(fl *pflag.Flag) {
			if !strings.Contains(string(doc), "`--"+fl.Name) {
				t.Errorf("docs/app.md does not mention %s's --%s", cmd.name, fl.Name)
			}
		})
	}
}
