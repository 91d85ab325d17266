package severity

import (
	"encoding/json"
	"testing"
)

func TestSeverity(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(map[string]Severity{"a": Error, "b": Warning})
	if err != nil || string(b) != `{"a":"error","b":"warning"}` {
		t.Fatalf("json = %s, %v", b, err)
	}
	if Severity(9).String() != "severity(9)" {
		t.Errorf("unknown severity = %s", Severity(9))
	}
}
