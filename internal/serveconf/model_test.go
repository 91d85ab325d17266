package serveconf

import (
	"strings"
	"testing"
)

func TestLoadModel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     map[string]string
		want    Model
		wantErr string
	}{
		{name: "off by default", env: nil, want: Model{DailyBudget: DefaultModelBudget}},
		{name: "on", env: map[string]string{"RELEASEGATE_MODEL_URL": "https://llm.example.com/v1", "RELEASEGATE_MODEL": "coder", "RELEASEGATE_MODEL_DAILY_BUDGET": "20"},
			want: Model{URL: "https://llm.example.com/v1", Name: "coder", DailyBudget: 20}},
		{name: "local http", env: map[string]string{"RELEASEGATE_MODEL_URL": "http://127.0.0.1:11434/v1", "RELEASEGATE_MODEL": "coder"},
			want: Model{URL: "http://127.0.0.1:11434/v1", Name: "coder", DailyBudget: DefaultModelBudget}},
		{name: "plain http elsewhere", env: map[string]string{"RELEASEGATE_MODEL_URL": "http://llm.example.com/v1", "RELEASEGATE_MODEL": "coder"}, wantErr: "RELEASEGATE_MODEL_URL: \"http://llm.example.com/v1\": use https://"},
		{name: "no model name", env: map[string]string{"RELEASEGATE_MODEL_URL": "https://llm.example.com/v1"}, wantErr: "RELEASEGATE_MODEL is not"},
		{name: "no URL", env: map[string]string{"RELEASEGATE_MODEL": "coder"}, wantErr: "RELEASEGATE_MODEL_URL is not"},
		{name: "key alone", env: map[string]string{"RELEASEGATE_MODEL_API_KEY": "sk-1"}, wantErr: "RELEASEGATE_MODEL_API_KEY is set but"},
		{name: "bad budget", env: map[string]string{"RELEASEGATE_MODEL_URL": "https://llm.example.com/v1", "RELEASEGATE_MODEL": "coder", "RELEASEGATE_MODEL_DAILY_BUDGET": "0"}, wantErr: "RELEASEGATE_MODEL_DAILY_BUDGET: \"0\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := LoadModel(Input{Getenv: func(k string) string { return tt.env[k] }})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.URL != tt.want.URL || got.Name != tt.want.Name || got.DailyBudget != tt.want.DailyBudget || got.Enabled() != (tt.want.URL != "") {
				t.Fatalf("LoadModel = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestLoadModelKeyFromFile(t *testing.T) {
	t.Parallel()
	env := map[string]string{"RELEASEGATE_MODEL_URL": "https://llm.example.com/v1", "RELEASEGATE_MODEL": "coder", "RELEASEGATE_MODEL_API_KEY_FILE": "/run/secrets/key"}
	m, err := LoadModel(Input{Getenv: func(k string) string { return env[k] },
		ReadFile: func(name string) ([]byte, error) { return []byte("sk-from-file\n"), nil }})
	if err != nil {
		t.Fatal(err)
	}
	if m.APIKey.Reveal() != "sk-from-file" {
		t.Fatalf("key %q", m.APIKey.Reveal())
	}
}
