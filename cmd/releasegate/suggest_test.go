package main

import (
	"cmp"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/releasegate/releasegate/bot/suggest"
	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
)

var suggestT0 = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// invoiceSource is the checkout's file the issue's events were raised in; line 9 reads
// customer.contact.email.
const invoiceSource = `import { mailer } from "../mail";

export interface Customer {
  name: string;
  contact: { email: string } | null;
}

export async function sendInvoice(customer: Customer, pdf: Uint8Array): Promise<void> {
  const to = customer.contact.email;
  await mailer.send({ to, subject: "Your invoice", attachment: pdf });
}
`

// suggestIssueEnv is a fake Sentry holding issue WEB-1, whose latest event failed on line 9
// of src/billing/invoice.ts, and a checkout (outside any git work tree) holding that file.
// An older event of the same issue points at line 2, where no fix could be made: a command
// reading any event but the latest would answer differently.
func suggestIssueEnv(t *testing.T) *cliEnv {
	t.Helper()
	srv := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web"}, Now: suggestT0})
	for i, fr := range []sentryapitest.Frame{
		{Lineno: 2, ContextLine: ""},
		{Lineno: 9, Colno: 31, ContextLine: "  const to = customer.contact.email;"},
	} {
		fr.Function, fr.Filename, fr.AbsPath, fr.InApp = "sendInvoice", "/app/src/billing/invoice.ts", "/app/src/billing/invoice.ts", true
		res, err := srv.Ingest("web", sentryapitest.Event{Platform: "node", Release: "web@1.4.0", Fingerprint: []string{"invoice-contact"},
			Timestamp: suggestT0.Add(time.Duration(i-2) * time.Minute),
			Exceptions: []sentryapitest.Exception{{Type: "TypeError", Value: "Cannot read properties of null (reading 'email')",
				Frames: []sentryapitest.Frame{{Function: "processTicksAndRejections", Filename: "node:internal/process/task_queues", Lineno: 105}, fr}}}})
		if err != nil {
			t.Fatal(err)
		}
		if res.ShortID != "WEB-1" {
			t.Fatalf("event %d went to %s, want WEB-1", i, res.ShortID)
		}
	}
	e := sentryEnv(t, srv).with("SENTRY_ORG", "acme", "SENTRY_HTTP_MAX_RETRIES", "0")
	e.Dir = t.TempDir()
	writeFileAt(t, filepath.Join(e.Dir, "shop", "src", "billing", "invoice.ts"), invoiceSource)
	return e
}

// writeFileAt writes a file, making its folders.
func writeFileAt(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, content)
}

// TestSuggestIssue: --issue reads the issue's latest event through Sentry's API, and the
// command finds its frame in --source.
func TestSuggestIssue(t *testing.T) {
	t.Parallel()
	e := suggestIssueEnv(t)
	code, stdout, stderr := e.run(t, "", "suggest", "--issue", "WEB-1", "--source", "shop", "--format", "json")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	var got suggest.Result
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("stdout is not the JSON contract: %v\n%s", err, stdout)
	}
	if !got.Suggested || got.File != "src/billing/invoice.ts" || got.Line != 9 || got.Family != "js-property-of-undefined" {
		t.Errorf("got %+v, want a js-property-of-undefined fix at src/billing/invoice.ts:9 (the latest event's frame)", got)
	}
	if !strings.Contains(got.Diff, "+  const to = customer.contact?.email;\n") {
		t.Errorf("diff lacks the optional chain:\n%s", got.Diff)
	}
	var paths []string
	for _, r := range e.Requests() {
		paths = append(paths, r.Path)
	}
	if !slices.ContainsFunc(paths, func(p string) bool { return strings.HasSuffix(p, "/events/latest/") }) {
		t.Errorf("the issue's latest event was not asked for; requests: %v", paths)
	}
}

// TestSuggestIssueErrors: Sentry that cannot be asked is exit 3; an issue it does not know
// and a half-configured model are exit 2, said on stderr with nothing on stdout.
func TestSuggestIssueErrors(t *testing.T) {
	t.Parallel()
	closed := httptest.NewServer(nil)
	closed.Close() // its address now refuses connections
	tests := []struct {
		name  string
		setup func(e *cliEnv) *cliEnv
		issue string // default WEB-1
		want  int
		msgs  []string
	}{
		{
			name:  "Sentry unreachable",
			setup: func(e *cliEnv) *cliEnv { return e.with("SENTRY_URL", closed.URL) },
			want:  exitUndecided,
			msgs:  []string{"looking up issue WEB-1 in the Sentry organization acme", "connection refused", "is reachable"},
		},
		{
			name: "Sentry failing",
			setup: func(e *cliEnv) *cliEnv {
				e.InjectFault(sentryapitest.Fault{Status: 503})
				return e
			},
			want: exitUndecided,
			msgs: []string{"looking up issue WEB-1 in the Sentry organization acme", "503"},
		},
		{
			name:  "unknown issue",
			setup: func(e *cliEnv) *cliEnv { return e },
			issue: "WEB-404",
			want:  exitUsage,
			msgs:  []string{"WEB-404", "check the organization slug"},
		},
		{
			name:  "model without its URL",
			setup: func(e *cliEnv) *cliEnv { return e.with("RELEASEGATE_MODEL", "gpt-4.1-mini") },
			want:  exitUsage,
			msgs:  []string{"the model suggester's variables: RELEASEGATE_MODEL is set but RELEASEGATE_MODEL_URL is not", "or neither to use the rules alone"},
		},
		{
			name:  "model URL without the model",
			setup: func(e *cliEnv) *cliEnv { return e.with("RELEASEGATE_MODEL_URL", "https://llm.example/v1") },
			want:  exitUsage,
			msgs:  []string{"RELEASEGATE_MODEL_URL is set but RELEASEGATE_MODEL is not"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := tc.setup(suggestIssueEnv(t))
			code, stdout, stderr := e.run(t, "", "suggest", "--issue", cmp.Or(tc.issue, "WEB-1"), "--source", "shop")
			if code != tc.want {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.want, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout is not empty:\n%s", stdout)
			}
			for _, m := range tc.msgs {
				if !strings.Contains(stderr, m) {
					t.Errorf("stderr lacks %q:\n%s", m, stderr)
				}
			}
			if strings.Contains(stderr, "--help") || strings.Contains(stderr, "serve configuration") {
				t.Errorf("stderr sends the user elsewhere:\n%s", stderr)
			}
		})
	}
}

// TestSuggestTextGolden renders a suggestion and an abstention of the corpus (real events and
// sources) for a person: go test ./cmd/releasegate -run TestSuggestTextGolden -update.
func TestSuggestTextGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, corpusCase string }{
		{"suggestion", "ts-invoice-contact-null"},
		{"abstention", "go-notify-two-pointers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// A copy outside any git work tree, so paths are the case's repository's own.
			dir := t.TempDir()
			src := filepath.Join("..", "..", "testdata", "suggest-corpus", tc.corpusCase)
			if err := os.CopyFS(filepath.Join(dir, "repo"), os.DirFS(filepath.Join(src, "repo"))); err != nil {
				t.Fatal(err)
			}
			event, err := os.ReadFile(filepath.Join(src, "event.json"))
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(dir, "event.json"), string(event))
			e := newCLIEnv(t, nil)
			e.Dir = dir
			code, stdout, stderr := e.run(t, "", "suggest", "--event", "event.json", "--source", "repo")
			if code != exitOK || stderr != "" {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr)
			}
			assertGolden(t, "suggest-text-"+tc.name, []byte(stdout))
		})
	}
}
