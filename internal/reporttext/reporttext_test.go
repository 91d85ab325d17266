package reporttext

import "testing"

func TestWords(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, got, want string }{
		{"no files", Plural(0, "file"), "0 files"},
		{"one file", Plural(1, "file"), "1 file"},
		{"two files", Plural(2, "file"), "2 files"},
		{"under a second", Millis(999), "999ms"},
		{"a second", Millis(1000), "1.0s"},
		{"seconds", Millis(12345), "12.3s"},
		{"bytes", Bytes(1023), "1023 B"},
		{"KiB", Bytes(1536), "1.5 KiB"},
		{"MiB", Bytes(5 << 20), "5.0 MiB"},
		{"one properties file", PropertiesCount(1), "1 sentry.properties"},
		{"properties files", PropertiesCount(3), "3 sentry.properties files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}
