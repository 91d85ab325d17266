package ownership_test

import (
	"fmt"

	"github.com/releasegate/releasegate/ownership"
)

func ExampleLoadConfig() {
	props := `defaults.org = acme
defaults.project = web

ownership.rules = \
    path:src/api/** #backend \
    url:*/checkout* #payments alice@example.com
ownership.fallthrough = false
ownership.autoAssignment = Auto Assign to Issue Owner
ownership.codeowners = true
ownership.fallthru = true
`
	_, err := ownership.LoadConfig([]byte(props), "web/sentry.properties", nil)
	fmt.Println(err)
	cfg, _ := ownership.LoadConfig([]byte(props[:len(props)-len("ownership.fallthru = true\n")]), "web/sentry.properties", nil)
	for _, r := range cfg.Rules {
		fmt.Println(r.Position(), r)
	}
	fmt.Println(*cfg.Fallthrough, cfg.AutoAssignment, cfg.CodeownersImport)
	// Output:
	// 1 problem in the ownership configuration:
	//   web/sentry.properties:10: unknown key "ownership.fallthru" (did you mean "ownership.fallthrough"?)
	// web/sentry.properties:5 path:src/api/** #backend
	// web/sentry.properties:6 url:*/checkout* #payments alice@example.com
	// false Auto Assign to Issue Owner true
}
