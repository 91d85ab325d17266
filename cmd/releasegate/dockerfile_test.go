package main

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	Op, Args string
	Line     int
}

// parseDockerfile reads the instructions of a Dockerfile: enough of the format for the checks
// below (comments, blank lines, backslash continuations), not a general parser.
func parseDockerfile(t *testing.T, text string) []instruction {
	t.Helper()
	var out []instruction
	var cur strings.Builder
	start := 0
	for i, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if cur.Len() == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if strings.HasPrefix(trimmed, "#") {
			continue // a comment inside a continued instruction
		}
		if cur.Len() == 0 {
			start = i + 1
		}
		if body, ok := strings.CutSuffix(trimmed, "\\"); ok {
			cur.WriteString(body + " ")
			continue
		}
		cur.WriteString(trimmed)
		op, args, _ := strings.Cut(cur.String(), " ")
		out = append(out, instruction{Op: strings.ToUpper(op), Args: strings.TrimSpace(args), Line: start})
		cur.Reset()
	}
	if cur.Len() != 0 {
		t.Fatalf("Dockerfile: line %d continues past the end", start)
	}
	return out
}

// finalStage is the instructions from the last FROM on: what the image is.
func finalStage(ins []instruction) []instruction {
	last := 0
	for i, in := range ins {
		if in.Op == "FROM" {
			last = i
		}
	}
	return ins[last:]
}

func execForm(t *testing.T, args string) []string {
	t.Helper()
	var v []string
	if err := json.Unmarshal([]byte(args), &v); err != nil {
		t.Errorf("%s is not the exec (JSON) form: a shell form needs a shell the image does not have", args)
	}
	return v
}

// TestDockerfile checks the image's invariants without docker (CI may not have it): a non-root
// user, a health check the binary itself answers, the entrypoint and state volume docs/app.md
// describes, the release archive as the only input, and no secret baked in.
func TestDockerfile(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	all := parseDockerfile(t, string(data))
	final := finalStage(all)
	find := func(op string) []instruction {
		var out []instruction
		for _, in := range final {
			if in.Op == op {
				out = append(out, in)
			}
		}
		return out
	}
	one := func(t *testing.T, op string) instruction {
		t.Helper()
		got := find(op)
		if len(got) != 1 {
			t.Fatalf("the final stage has %d %s instructions, want 1", len(got), op)
		}
		return got[0]
	}
	env := map[string]string{}
	for _, in := range find("ENV") {
		for _, kv := range strings.Fields(in.Args) {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				t.Errorf("line %d: write ENV as KEY=VALUE", in.Line)
			}
			env[k] = v
		}
	}

	for _, tc := range []struct {
		name  string
		check func(t *testing.T)
	}{
		{"runs as a non-root user, by number", func(t *testing.T) {
			user := one(t, "USER").Args
			uid, _, _ := strings.Cut(user, ":")
			if !regexp.MustCompile(`^[1-9][0-9]*$`).MatchString(uid) {
				t.Errorf("USER %s: want a numeric non-zero uid (Kubernetes' runAsNonRoot can only verify numbers)", user)
			}
			if user := find("USER"); len(user) > 0 && slices.IndexFunc(final, func(in instruction) bool { return in.Op == "RUN" }) > slices.Index(final, user[0]) {
				t.Error("a RUN after USER in the final stage")
			}
		}},
		{"checks its health with its own binary", func(t *testing.T) {
			hc := one(t, "HEALTHCHECK").Args
			_, cmd, ok := strings.Cut(hc, "CMD ")
			if !ok {
				t.Fatalf("HEALTHCHECK %s has no CMD", hc)
			}
			argv := execForm(t, cmd)
			if !slices.Equal(argv, []string{"releasegate", "app", "healthcheck"}) {
				t.Errorf("HEALTHCHECK runs %v", argv)
			}
			// The command exists and takes no arguments beyond its flags.
			if code, _, stderr := newCLIEnv(t, nil).run(t, "", append(argv[1:], "--help")...); code != 0 {
				t.Errorf("%v --help: exit %d\n%s", argv, code, stderr)
			}
		}},
		{"entrypoint releasegate, command serve", func(t *testing.T) {
			if got := execForm(t, one(t, "ENTRYPOINT").Args); !slices.Equal(got, []string{"releasegate"}) {
				t.Errorf("ENTRYPOINT %v", got)
			}
			if got := execForm(t, one(t, "CMD").Args); !slices.Equal(got, []string{"serve"}) {
				t.Errorf("CMD %v", got)
			}
		}},
		{"state in the /data volume", func(t *testing.T) {
			if env["RELEASEGATE_DATABASE_URL"] != "/data/releasegate.db" {
				t.Errorf("RELEASEGATE_DATABASE_URL=%q, want /data/releasegate.db", env["RELEASEGATE_DATABASE_URL"])
			}
			if v := one(t, "VOLUME").Args; !slices.Contains(execForm(t, v), "/data") {
				t.Errorf("VOLUME %s", v)
			}
		}},
		{"no secret baked in", func(t *testing.T) {
			secretish := regexp.MustCompile(`(?i)(secret|token|password|passwd|private|_key|dsn|credential)`)
			for _, in := range all {
				switch in.Op {
				case "ENV", "ARG", "LABEL":
					for _, kv := range strings.Fields(in.Args) {
						name, _, _ := strings.Cut(kv, "=")
						if secretish.MatchString(name) {
							t.Errorf("line %d: %s %s looks like a secret; give secrets at run time (*_FILE)", in.Line, in.Op, name)
						}
					}
				case "ADD":
					t.Errorf("line %d: ADD (it fetches URLs and unpacks archives unchecked); COPY the release archive", in.Line)
				case "COPY":
					if strings.Contains(in.Args, "--from=") {
						continue
					}
					for _, src := range strings.Fields(in.Args)[:len(strings.Fields(in.Args))-1] {
						if !strings.HasPrefix(src, "dist/releasegate_") {
							t.Errorf("line %d: COPY %s: only the release archive and its checksums come from the build context", in.Line, src)
						}
					}
				}
			}
			ignore, err := os.ReadFile("../../.dockerignore")
			if err != nil {
				t.Fatal(err)
			}
			var rules []string
			for _, l := range strings.Split(string(ignore), "\n") {
				if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
					rules = append(rules, l)
				}
			}
			if len(rules) == 0 || rules[0] != "*" {
				t.Errorf(".dockerignore must start by leaving everything out (*): %v", rules)
			}
			for _, r := range rules[1:] {
				if !strings.HasPrefix(r, "!dist/releasegate_") {
					t.Errorf(".dockerignore lets %q in: only the release archives belong in the context", r)
				}
			}
		}},
		{"built from build-release.sh's archives, checked", func(t *testing.T) {
			script, err := os.ReadFile("../../scripts/build-release.sh")
			if err != nil {
				t.Fatal(err)
			}
			// The script's names, with its variables spelled as the Dockerfile's build args.
			names := map[string]string{
				`releasegate_${bare}_${goos}_${goarch}.tar.gz`: `releasegate_${VERSION}_${TARGETOS}_${TARGETARCH}.tar.gz`,
				`releasegate_${bare}_checksums.txt`:            `releasegate_${VERSION}_checksums.txt`,
			}
			for inScript, inDockerfile := range names {
				if !strings.Contains(string(script), inScript) {
					t.Errorf("build-release.sh no longer names %s: update the Dockerfile and this test", inScript)
				}
				if !strings.Contains(string(data), "dist/"+inDockerfile) {
					t.Errorf("the Dockerfile does not COPY dist/%s", inDockerfile)
				}
			}
			if !strings.Contains(string(data), "sha256sum -c") {
				t.Error("the archive is not checked against the release's checksums")
			}
			for _, in := range all {
				if in.Op == "FROM" {
					image := strings.Fields(in.Args)[0]
					if image != "scratch" && (!strings.Contains(image, ":") || strings.HasSuffix(image, ":latest")) {
						t.Errorf("line %d: FROM %s: pin the base image's version", in.Line, image)
					}
				}
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.check(t)
		})
	}
}
