// Command ownership generates the monorepo the `ownership check` benchmark runs on: 40
// services, 100,000 files and 2,000 ownership rules (50 per service), deterministic.
//
//	go run ./bench/ownership -out bench/out/monorepo
//	bash bench/ownership/run.sh      # generates it if missing, then times the check
//
// The folder is made a git repository of its own (files left untracked) so that
// `ownership check` lists it with git, as it would a real checkout, and not as part of
// releasegate's own repository.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

const (
	services = 40
	modules  = 25 // per service
	subdirs  = 10 // per module
	files    = 10 // per subdir: 40 × 25 × 10 × 10 = 100,000
)

var exts = []string{".ts", ".tsx", ".js", ".py", ".rb"} // no .go: `go build ./...` would read them

func main() {
	out := flag.String("out", "bench/out/monorepo", "folder to create (must not exist)")
	flag.Parse()
	if _, err := os.Stat(*out); err == nil {
		log.Fatalf("%s exists: remove it first", *out)
	}
	n, rules := 0, 0
	for s := range services {
		svc := filepath.Join(*out, "services", fmt.Sprintf("svc%02d", s))
		for m := range modules {
			for d := range subdirs {
				dir := filepath.Join(svc, "src", fmt.Sprintf("mod%02d", m), subdirName(d))
				if err := os.MkdirAll(dir, 0o755); err != nil {
					log.Fatal(err)
				}
				for f := range files {
					name := fmt.Sprintf("file%d%s", f, exts[(m+d+f)%len(exts)])
					if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
						log.Fatal(err)
					}
					n++
				}
			}
		}
		props := servicePropertiesFile(s)
		rules += strings.Count(props, "#t") // every rule has one owner, #t<k>
		if err := os.WriteFile(filepath.Join(svc, "sentry.properties"), []byte(props), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	cmd := exec.Command("git", "init", "-q", *out)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d files, %d services, %d rules\n", *out, n, services, rules)
}

func subdirName(d int) string {
	if d%3 == 0 {
		return fmt.Sprintf("handlers%d", d)
	}
	return fmt.Sprintf("sub%d", d)
}

// servicePropertiesFile writes 50 rules of the kinds real rule sets have: module prefixes,
// deeper prefixes that refine them, extension rules, "*/handlers*/*" cross-cutting rules,
// rules for folders that no longer exist, URL and tag rules.
func servicePropertiesFile(s int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "defaults.org = bench\ndefaults.project = svc%02d\nownership.rules = \\\n", s)
	var lines []string
	team := func(k int) string { return fmt.Sprintf("#t%d", (s*50+k)%300) }
	for m := range modules {
		lines = append(lines, fmt.Sprintf("path:src/mod%02d/** %s", m, team(len(lines))))
	}
	for m := range 10 {
		lines = append(lines, fmt.Sprintf("path:src/mod%02d/sub%d/*.ts %s", m, 1+m%9, team(len(lines))))
	}
	lines = append(lines,
		fmt.Sprintf("path:*.py %s", team(len(lines))),
		fmt.Sprintf("path:*/handlers*/*.rb %s", team(len(lines)+1)),
		fmt.Sprintf("path:services/svc%02d/src/mod0?/** %s", s, team(len(lines)+2)),
	)
	for k := range 6 {
		lines = append(lines, fmt.Sprintf("path:src/removed%d/** %s", k, team(len(lines))))
	}
	for k := range 3 {
		lines = append(lines, fmt.Sprintf("url:*/svc%02d/api/v%d/* %s", s, k, team(len(lines))))
	}
	for k := range 3 {
		lines = append(lines, fmt.Sprintf("tags.tenant:tenant-%d-* %s", k, team(len(lines))))
	}
	for i, l := range lines {
		sep := " \\\n"
		if i == len(lines)-1 {
			sep = "\n"
		}
		b.WriteString("    " + l + sep)
	}
	return b.String()
}
