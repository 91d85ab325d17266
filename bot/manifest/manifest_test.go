package manifest

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func TestNew(t *testing.T) {
	t.Parallel()
	m, err := New("https://gate.example.com/", "")
	if err != nil {
		t.Fatal(err)
	}
	data, err := m.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back["url"] != "https://gate.example.com" || back["redirect_url"] != "https://gate.example.com/setup/callback" ||
		back["hook_attributes"].(map[string]any)["url"] != "https://gate.example.com/webhooks/github" {
		t.Errorf("urls: %s", data)
	}
	perms := back["default_permissions"].(map[string]any)
	want := map[string]any{"contents": "write", "actions": "read", "deployments": "write", "checks": "write", "pull_requests": "write", "issues": "write"}
	if len(perms) != len(want) {
		t.Errorf("permissions %v, want exactly %v", perms, want)
	}
	for k, v := range want {
		if perms[k] != v {
			t.Errorf("permission %s = %v, want %v", k, perms[k], v)
		}
	}
	for _, bad := range []string{"http://gate.example.com", "gate.example.com", "ftp://x", ""} {
		if _, err := New(bad, ""); err == nil {
			t.Errorf("New(%q) accepted", bad)
		}
	}
	if _, err := New("https://x", strings.Repeat("n", 35)); err == nil {
		t.Error("a 35-character name was accepted")
	}
}

// TestDocsShowThePermissions keeps docs/app.md's table equal to the manifest's.
func TestDocsShowThePermissions(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/app.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), DocTable()) {
		t.Errorf("docs/app.md does not hold the permissions table; paste this:\n%s", DocTable())
	}
}
