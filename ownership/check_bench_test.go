package ownership

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// benchRepo builds a deterministic monorepo: services × top folders × modules × sub-folders ×
// files, with .js, .ts, .py and .go files; its size is services×5×mods×5×files.
func benchRepo(services, mods, files int) []string {
	tops := []string{"src", "lib", "internal", "test", "cmd"}
	subs := []string{"handlers", "models", "util", "views", "api"}
	exts := []string{"js", "ts", "py", "go"}
	var out []string
	for s := range services {
		for _, top := range tops {
			for m := range mods {
				for _, sub := range subs {
					for f := range files {
						name := fmt.Sprintf("file%d.%s", f, exts[(s+m+f)%len(exts)])
						if f%7 == 0 {
							name = fmt.Sprintf("File%d_test.%s", f, exts[(s+f)%len(exts)])
						}
						out = append(out, fmt.Sprintf("services/svc%d/%s/mod%d/%s/%s", s, top, m, sub, name))
					}
				}
			}
		}
	}
	return out
}

// benchRules builds n ownership rules and n/10 codeowners rules in the mix a large monorepo
// might have, drawn from a seeded generator so that few repeat: mostly folder rules with a
// literal prefix, then suffix rules, rules relative to a service folder, "*/name/*" rules,
// rules that match nothing, runtime-only rules, and url, module and tag rules.
func benchRules(tb testing.TB, n, services, mods int) (rules, codeowners []Rule) {
	rng := rand.New(rand.NewPCG(1, 2))
	tops := []string{"src", "lib", "internal", "test", "cmd"}
	subs := []string{"handlers", "models", "util", "views", "api"}
	exts := []string{"js", "ts", "py", "go"}
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	var b strings.Builder
	for i := range n {
		svc, top, mod, sub, ext := rng.IntN(services), pick(tops), rng.IntN(mods), pick(subs), pick(exts)
		switch k := rng.IntN(100); {
		case k < 40:
			fmt.Fprintf(&b, "path:services/svc%d/%s/mod%d/** #team-%d\n", svc, top, mod, i%50)
		case k < 50:
			fmt.Fprintf(&b, "path:services/svc%d/%s/mod%d/%s/*.%s #team-%d user%d@example.com\n", svc, top, mod, sub, ext, i%50, i)
		case k < 55:
			fmt.Fprintf(&b, "path:services/svc%d/*/mod%d/%s/*.%s #team-%d\n", svc, mod, sub, ext, i%50)
		case k < 60:
			fmt.Fprintf(&b, "path:%s/mod%d/%s/* #team-%d\n", top, mod, sub, i%50) // relative to a service folder
		case k < 62:
			fmt.Fprintf(&b, "path:*.%s #team-%d\n", ext, i%50)
		case k < 66:
			fmt.Fprintf(&b, "path:*/mod%d/%s/*_test.%s #team-%d\n", mod, sub, ext, i%50)
		case k < 70:
			fmt.Fprintf(&b, "path:*/svc%d/%s/* #team-%d\n", svc, top, i%50)
		case k < 75:
			fmt.Fprintf(&b, "path:services/svc%d/legacy%d/* #team-%d\n", svc, i, i%50) // matches nothing
		case k < 78:
			fmt.Fprintf(&b, "path:webpack://./%s/mod%d/* #team-%d\n", top, mod, i%50)
		case k < 80:
			fmt.Fprintf(&b, "path:/app/services/svc%d/%s/* #team-%d\n", svc, top, i%50)
		case k < 86:
			fmt.Fprintf(&b, "url:https://shop.example.com/page%d/* #team-%d\n", i, i%50)
		case k < 92:
			fmt.Fprintf(&b, "url:https://shop.example.com/page%d/checkout #team-%d\n", rng.IntN(n), i%50)
		case k < 96:
			fmt.Fprintf(&b, "tags.region:eu-west-%d user%d@example.com\n", i, i)
		default:
			fmt.Fprintf(&b, "module:com.example.svc%d.mod%d.* #team-%d\n", svc, mod, i%50)
		}
	}
	var err error
	if rules, err = Parse([]byte(b.String()), "ownership.rules"); err != nil {
		tb.Fatal(err)
	}
	b.Reset()
	for i := range n / 10 {
		svc, top, mod := rng.IntN(services), pick(tops), rng.IntN(mods)
		switch k := rng.IntN(10); {
		case k < 5:
			fmt.Fprintf(&b, "codeowners:/services/svc%d/%s/ #team-%d\n", svc, top, i%50)
		case k < 8:
			fmt.Fprintf(&b, "codeowners:/services/svc%d/%s/mod%d/*.%s #team-%d\n", svc, top, mod, pick(exts), i%50)
		case k < 9:
			fmt.Fprintf(&b, "codeowners:%s%d/ #team-%d\n", pick(subs), i, i%50)
		default:
			fmt.Fprintf(&b, "codeowners:*_test.%s #team-%d\n", pick(exts), i%50)
		}
	}
	if codeowners, err = Parse([]byte(b.String()), "CODEOWNERS"); err != nil {
		tb.Fatal(err)
	}
	return rules, codeowners
}

func benchmarkCheck(b *testing.B, services, mods, files, rules int) {
	in := CheckInput{Files: benchRepo(services, mods, files)}
	in.Rules, in.Codeowners = benchRules(b, rules, services, mods)
	counts := map[string]int{}
	for _, f := range Check(in) {
		counts[f.Code]++
	}
	b.Logf("%d files, %d rules, %d codeowners rules: findings %v", len(in.Files), len(in.Rules), len(in.Codeowners), counts)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		Check(in)
	}
}

// BenchmarkCheck is a 100,000-file monorepo with 2,000 ownership rules and 200 codeowners
// rules.
func BenchmarkCheck(b *testing.B) { benchmarkCheck(b, 40, 10, 10, 2000) }

// BenchmarkCheckSmall is 1,000 files and 50 rules (and 5 codeowners rules).
func BenchmarkCheckSmall(b *testing.B) { benchmarkCheck(b, 4, 5, 2, 50) }
