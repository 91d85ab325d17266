package triage

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestRenderCommentUpTo: max_issues_per_comment lists the newest issues and counts the rest;
// RenderComment is the default, 10.
func TestRenderCommentUpTo(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var issues []Issue
	for i := range 12 {
		issues = append(issues, Issue{ShortID: fmt.Sprintf("WEB-%d", 100+i), Title: "Error " + fmt.Sprint(i), FirstSeen: start.Add(time.Duration(i) * time.Hour)})
	}
	tests := map[string]struct {
		body       string
		shown, not []string
		more       string
	}{
		"up to 3":             {body: RenderCommentUpTo(issues, 3), shown: []string{"WEB-111", "WEB-109"}, not: []string{"WEB-108"}, more: "9 older issues not shown"},
		"up to 1":             {body: RenderCommentUpTo(issues, 1), shown: []string{"WEB-111"}, not: []string{"WEB-110"}, more: "11 older issues not shown"},
		"below 1 is 1":        {body: RenderCommentUpTo(issues, 0), shown: []string{"WEB-111"}, not: []string{"WEB-110"}, more: "11 older issues not shown"},
		"more than there are": {body: RenderCommentUpTo(issues, 50), shown: []string{"WEB-111", "WEB-100"}},
		"the default is 10":   {body: RenderComment(issues), shown: []string{"WEB-111", "WEB-102"}, not: []string{"WEB-101"}, more: "2 older issues not shown"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, id := range tt.shown {
				if !strings.Contains(tt.body, id) {
					t.Errorf("%s is not listed:\n%s", id, tt.body)
				}
			}
			for _, id := range tt.not {
				if strings.Contains(tt.body, id) {
					t.Errorf("%s is listed:\n%s", id, tt.body)
				}
			}
			if got := strings.Contains(tt.body, "not shown"); got != (tt.more != "") || (tt.more != "" && !strings.Contains(tt.body, tt.more)) {
				t.Errorf("want %q counted:\n%s", tt.more, tt.body)
			}
		})
	}
}
