package ownership

import (
	"testing"

	"github.com/releasegate/releasegate/errkind"
)

func TestErrorKinds(t *testing.T) {
	t.Parallel()
	_, err := Parse([]byte("path:src/** not-an-owner\n"), "sentry.properties")
	if err == nil {
		t.Fatal("a rule with a bad owner parsed")
	}
	if got := errkind.Of(err); got != errkind.Config {
		t.Errorf("rules that do not parse: kind %v, want config (%v)", got, err)
	}
}
