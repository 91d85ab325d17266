package store_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/releasegate/releasegate/internal/store"
)

func TestDecisions(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, url string) {
		s := openStore(t, url, store.Options{Now: fixedClock(at)})
		ctx := t.Context()
		seed := []store.Decision{
			{Repo: "acme/shop", Environment: "production", Verdict: "pass"},
			{Repo: "acme/shop", Environment: "staging", Verdict: "fail"},
			{Repo: "acme/api", Environment: "production", Verdict: "fail"},
			{Repo: "acme/shop", Environment: "production", Verdict: "pending"},
		}
		var saved []store.Decision
		for i, d := range seed {
			d.Release = fmt.Sprintf("shop@1.%d.0", i)
			d.SHA = fmt.Sprintf("%040d", i)
			// Key order and spacing as the gate wrote them; the store keeps them.
			d.Report = []byte(fmt.Sprintf(`{"verdict": %q, "checks":[]}`, d.Verdict))
			d.Markdown = "## " + d.Verdict
			d.CreatedAt = at.Add(time.Duration(i) * time.Minute)
			got, err := s.SaveDecision(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.ID) != 32 || string(got.Report) != string(d.Report) || !got.CreatedAt.Equal(d.CreatedAt) || !got.DecidedAt.IsZero() {
				t.Errorf("saved decision = %+v", got)
			}
			saved = append(saved, got)
		}
		// The pending one is decided later.
		decided := saved[3]
		decided.Verdict, decided.Report, decided.Markdown, decided.DecidedAt = "fail", []byte(`{"verdict":"fail"}`), "## fail", at.Add(time.Hour)
		if _, err := s.SaveDecision(ctx, decided); err != nil {
			t.Fatal(err)
		}
		got, err := s.Decision(ctx, decided.ID)
		if err != nil || got.Verdict != "fail" || !got.DecidedAt.Equal(at.Add(time.Hour)) || !got.CreatedAt.Equal(saved[3].CreatedAt) || got.Release != "shop@1.3.0" {
			t.Errorf("decided decision = %+v, %v", got, err)
		}

		tests := map[string]struct {
			filter store.DecisionFilter
			want   []int // indexes into saved, newest first
		}{
			"all":                {store.DecisionFilter{}, []int{3, 2, 1, 0}},
			"by repo":            {store.DecisionFilter{Repo: "acme/shop"}, []int{3, 1, 0}},
			"by environment":     {store.DecisionFilter{Environment: "production"}, []int{3, 2, 0}},
			"by verdict":         {store.DecisionFilter{Verdict: "fail"}, []int{3, 2, 1}},
			"all three":          {store.DecisionFilter{Repo: "acme/shop", Environment: "production", Verdict: "fail"}, []int{3}},
			"limit":              {store.DecisionFilter{Limit: 2}, []int{3, 2}},
			"before (next page)": {store.DecisionFilter{Before: saved[2].CreatedAt}, []int{1, 0}},
			"nothing matches":    {store.DecisionFilter{Repo: "acme/none"}, nil},
		}
		for name, tc := range tests {
			list, err := s.ListDecisions(ctx, tc.filter)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			var gotIDs, wantIDs []string
			for _, d := range list {
				gotIDs = append(gotIDs, d.ID)
			}
			for _, i := range tc.want {
				wantIDs = append(wantIDs, saved[i].ID)
			}
			if fmt.Sprint(gotIDs) != fmt.Sprint(wantIDs) {
				t.Errorf("%s: ListDecisions = %v, want %v", name, gotIDs, wantIDs)
			}
		}
		if _, err := s.Decision(ctx, "0000"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Decision(unknown) = %v, want ErrNotFound", err)
		}
		if _, err := s.SaveDecision(ctx, store.Decision{Repo: "acme/shop", Report: []byte(`{`)}); err == nil {
			t.Error("SaveDecision with a broken report succeeded")
		}
	})
}
