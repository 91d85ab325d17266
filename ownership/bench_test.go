package ownership

import (
	"fmt"
	"strings"
	"testing"
)

// benchInput builds a 200-frame event and 2,000 rules in the mix a large monorepo might have:
// mostly anchored path rules, some leading-'*' path rules, module, url, tag and codeowners rules.
func benchInput(tb testing.TB) ([]Rule, Event) {
	var ev Event
	for i := range 200 {
		ev.Frames = append(ev.Frames, Frame{
			Filename: fmt.Sprintf("services/svc%d/internal/pkg%d/file%d.go", i%40, i%7, i),
			AbsPath:  fmt.Sprintf("/home/runner/work/repo/services/svc%d/internal/pkg%d/file%d.go", i%40, i%7, i),
			Module:   fmt.Sprintf("com.example.svc%d.pkg%d.Type%d", i%40, i%7, i),
		})
	}
	ev.URL = "https://shop.example.com/checkout/42"
	ev.Tags = map[string]string{"environment": "production", "region": "eu-west-1"}
	ev.User = EventUser{Email: "someone@example.com"}

	var b strings.Builder
	for i := range 2000 {
		switch i % 20 {
		case 0, 1:
			fmt.Fprintf(&b, "path:*file%d.go #team-%d\n", i, i%50)
		case 2:
			fmt.Fprintf(&b, "module:com.example.svc%d.* #team-%d\n", i%97, i%50)
		case 3:
			fmt.Fprintf(&b, "url:https://shop.example.com/page%d/* #team-%d\n", i, i%50)
		case 4:
			fmt.Fprintf(&b, "tags.region:eu-west-%d user%d@example.com\n", i%9, i)
		case 5:
			fmt.Fprintf(&b, "codeowners:/services/svc%d/internal/ #team-%d\n", i%97, i%50)
		default:
			fmt.Fprintf(&b, "path:services/svc%d/internal/pkg%d/* #team-%d user%d@example.com\n", i%97, i%11, i%50, i)
		}
	}
	rules, err := Parse([]byte(b.String()), "bench")
	if err != nil {
		tb.Fatal(err)
	}
	return rules, ev
}

func BenchmarkOwners(b *testing.B) {
	rules, ev := benchInput(b)
	d := Owners(rules, ev, Options{})
	b.Logf("%d rules, %d frames, %d matches, assignee %v", len(rules), len(ev.Frames), len(d.Matches), d.Assignee)
	for _, fp := range []bool{false, true} {
		b.Run(fmt.Sprintf("FramePriority=%v", fp), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Owners(rules, ev, Options{FramePriority: fp})
			}
		})
	}
}
