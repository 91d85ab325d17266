package main

import (
	"os"
	"testing"
)

// unsetenv removes an environment variable for the rest of the test; t.Setenv first records
// its value so that it is restored afterwards.
func unsetenv(t *testing.T, key string) {
	t.Helper()
	t.Setenv(key, "")
	os.Unsetenv(key)
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
