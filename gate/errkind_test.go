package gate

import (
	"testing"

	"github.com/releasegate/releasegate/errkind"
)

func TestErrorKinds(t *testing.T) {
	t.Parallel()
	_, err := LoadPolicy([]byte("version: 1\nenvironments:\n  production:\n    no_such_key: 1\n"), ".github/releasegate.yml")
	if err == nil {
		t.Fatal("a policy with an unknown key loaded")
	}
	if got := errkind.Of(err); got != errkind.Config {
		t.Errorf("a policy that does not load: kind %v, want config (%v)", got, err)
	}
}
