package sentryapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/releasegate/releasegate/internal/sentryapi"
)

func ExampleNew() {
	// A self-hosted Sentry under a path prefix; calls go to https://example.com/sentry/api/0/….
	c, err := sentryapi.New(sentryapi.Options{
		BaseURL:   "https://example.com/sentry",
		Token:     "sntryu_example",
		UserAgent: "releasegate/1.0.0",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.BaseURL())
	fmt.Println(c) // never shows the token
	// Output:
	// https://example.com/sentry/
	// sentryapi.Client{BaseURL: "https://example.com/sentry/"}
}

func ExampleClient_ListIssues() {
	// A stand-in for Sentry that answers one page of new issues.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `[{"id":"17","shortId":"WEB-H","title":"TypeError: x is undefined","status":"unresolved","count":"42"}]`)
	}))
	defer srv.Close()

	c, err := sentryapi.New(sentryapi.Options{BaseURL: srv.URL, Token: "sntryu_example"})
	if err != nil {
		fmt.Println(err)
		return
	}
	// New unresolved issues of a release in production over the last day, most frequent first;
	// stop after the first 10.
	var seen int
	err = c.ListIssues(context.Background(), "acme", sentryapi.IssueQuery{
		Query:        "is:unresolved firstRelease:web@1.4.2",
		Environments: []string{"production"},
		TimeRange:    sentryapi.TimeRange{StatsPeriod: "24h"},
		Sort:         sentryapi.SortFreq,
	}, func(page []sentryapi.Issue) error {
		for _, is := range page {
			fmt.Printf("%s %s (%d events)\n", is.ShortID, is.Title, is.Count)
			if seen++; seen == 10 {
				return sentryapi.ErrStop
			}
		}
		return nil
	})
	if errors.Is(err, sentryapi.ErrUnauthorized) {
		fmt.Println("check SENTRY_AUTH_TOKEN:", err)
	}
	// Output:
	// WEB-H TypeError: x is undefined (42 events)
}
