package jira_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/internal/jira"
)

func TestParseErrorBody(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		body   string
		ok     bool
		msgs   int
		fields int
	}{
		{"messages", `{"errorMessages":["Issue does not exist"],"errors":{}}`, true, 1, 0},
		{"fields", `{"errorMessages":[],"errors":{"project":"valid project is required","summary":" "}}`, true, 0, 1},
		{"only errors", `{"errors":{"labels":"bad"}}`, true, 0, 1},
		{"status too", `{"errorMessages":["x"],"status":400}`, true, 1, 0},
		{"html page", `<html><body>Bad gateway</body></html>`, false, 0, 0},
		{"null", `null`, false, 0, 0},
		{"other json", `{"message":"Not Found"}`, false, 0, 0},
		{"wrong types", `{"errorMessages":"x"}`, false, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			msgs, fields, ok := jira.ParseErrorBody([]byte(tc.body))
			if ok != tc.ok || len(msgs) != tc.msgs || len(fields) != tc.fields {
				t.Errorf("ParseErrorBody = %q, %q, %v", msgs, fields, ok)
			}
		})
	}
}

// FuzzParseErrorBody: any answer parses or is refused without a panic; what parses holds no
// blank message, and is what encoding/json reads of Jira's ErrorCollection; the error built
// from it always states a kind.
func FuzzParseErrorBody(f *testing.F) {
	for _, s := range []string{
		`{"errorMessages":["Issue does not exist or you do not have permission to see it."],"errors":{}}`,
		`{"errorMessages":[],"errors":{"project":"valid project is required"}}`,
		`{"errors":{"a":""}}`, `null`, `[]`, `<html>`, `{"errorMessages":[null]}`,
	} {
		f.Add([]byte(s), 400)
	}
	f.Fuzz(func(t *testing.T, data []byte, status int) {
		msgs, fields, ok := jira.ParseErrorBody(data)
		if !ok {
			if msgs != nil || fields != nil {
				t.Fatalf("refused, yet gave %q %q", msgs, fields)
			}
		} else {
			var raw struct {
				ErrorMessages []string          `json:"errorMessages"`
				Errors        map[string]string `json:"errors"`
			}
			if err := json.Unmarshal(data, &raw); err != nil {
				t.Fatalf("accepted what encoding/json refuses: %v", err)
			}
			for _, m := range msgs {
				if strings.TrimSpace(m) == "" {
					t.Fatal("a blank message was kept")
				}
			}
			for _, m := range fields {
				if strings.TrimSpace(m) == "" {
					t.Fatal("a blank field error was kept")
				}
			}
		}
		e := &jira.APIError{Method: "GET", Path: "rest/api/3/issue/X-1", Status: status, Messages: msgs, Fields: fields}
		if status >= 400 && errkind.Of(e) == errkind.Unknown {
			t.Fatalf("status %d states no kind", status)
		}
		_ = e.Error()
	})
}
