package triage

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/releasegate/releasegate/internal/jira"
	"github.com/releasegate/releasegate/internal/jira/jiratest"
	"github.com/releasegate/releasegate/internal/testenv"
)

// TestTicketJiraGolden shows the tickets as Jira gets them: ADF on Cloud, wiki markup on Data
// Center (go test -update rewrites the files).
func TestTicketJiraGolden(t *testing.T) {
	t.Parallel()
	for name, in := range ticketInputs() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			body := NewTicket(in).Body
			var adf bytes.Buffer
			if err := json.Indent(&adf, jira.ADF(body), "", "  "); err != nil {
				t.Fatal(err)
			}
			adf.WriteByte('\n')
			base := filepath.Join("testdata", "tickets", fileName(name))
			testenv.AssertGolden(t, base+".adf.json", adf.Bytes(), *update)
			testenv.AssertGolden(t, base+".wiki", []byte(jira.Wiki(body)+"\n"), *update)
		})
	}
}

// TestTicketReachesJira sends each ticket through the Jira client to the fake Jira of each
// flavour, as the description of a new issue and as a comment: the fake checks the request
// against Jira's description and the ADF's structure, and stores the text as it came.
func TestTicketReachesJira(t *testing.T) {
	t.Parallel()
	flavours := map[string]jira.Flavor{"cloud": jira.Cloud, "datacenter": jira.DataCenter}
	for fname, flavor := range flavours {
		for name, in := range ticketInputs() {
			t.Run(fname+"/"+name, func(t *testing.T) {
				t.Parallel()
				srv := jiratest.Start(t, jiratest.Options{DataCenter: flavor == jira.DataCenter})
				srv.AddProject(jiratest.Project{Key: "OPS"})
				c, err := jira.New(jira.Options{
					Flavor: flavor, BaseURL: srv.URL(), Email: srv.Email(), Token: srv.Token(),
					AttemptTimeout: 5 * time.Second, MaxRetries: -1, // a refusal is the answer, not a wait
				})
				if err != nil {
					t.Fatal(err)
				}
				tk := NewTicket(in)
				ctx := t.Context()
				ref, err := c.CreateIssue(ctx, jira.NewIssue{Project: "OPS", IssueType: "Bug", Summary: tk.Summary, Description: tk.Body})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := c.AddComment(ctx, ref.Key, tk.Body); err != nil {
					t.Fatal(err)
				}
				stored, ok := srv.Issue(ref.Key)
				if !ok || len(stored.Comments) != 1 {
					t.Fatalf("the fake holds %+v", stored)
				}
				if stored.Summary != tk.Summary {
					t.Errorf("summary = %q, want %q", stored.Summary, tk.Summary)
				}
				var want any = jira.Wiki(tk.Body)
				if flavor == jira.Cloud {
					want = decode(t, jira.ADF(tk.Body))
				}
				for field, got := range map[string]json.RawMessage{"description": stored.Description, "comment": stored.Comments[0].Body} {
					if g := decode(t, got); !reflect.DeepEqual(g, want) {
						t.Errorf("the %s reached Jira as\n%s\nnot as rendered", field, got)
					}
				}
			})
		}
	}
}

func decode(t *testing.T, raw json.RawMessage) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	return v
}
