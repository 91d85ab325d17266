package pages

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/releasegate/releasegate/gate"
)

// decisionView is what the decision template shows.
type decisionView struct {
	Record
	Checks []checkRow
	Issues []issueRow
	Chart  *chartView
}

type checkRow struct {
	gate.Check
	// Indent is the row's left padding in em: nested checks step right.
	Indent float64
}

type issueRow struct {
	gate.IssueRef
	Status gate.Status
	Check  string
}

func newDecisionView(rec Record) decisionView {
	v := decisionView{Record: rec}
	var walk func([]gate.Check, int)
	walk = func(cs []gate.Check, depth int) {
		for _, c := range cs {
			v.Checks = append(v.Checks, checkRow{Check: c, Indent: 0.5 + 1.2*float64(depth)})
			if c.Status == gate.StatusFail || c.Status == gate.StatusPending {
				for _, is := range c.Issues {
					if len(c.Children) > 0 || depth > 0 {
						v.Issues = appendIssue(v.Issues, issueRow{IssueRef: is, Status: c.Status, Check: c.Name})
					}
				}
			}
			walk(c.Children, depth+1)
		}
	}
	walk(rec.Decision.Checks, 0)
	v.Chart = newChart(rec.Decision.Chart)
	return v
}

func appendIssue(rows []issueRow, r issueRow) []issueRow {
	for _, x := range rows {
		if x.ID == r.ID {
			return rows
		}
	}
	return append(rows, r)
}

// chartView is an SVG line chart drawn on the server: numbers only go into the markup, and
// names are escaped by the template.
type chartView struct {
	Width, Height int
	// The plot's edges inside the SVG: the y labels stand left of Left, the x labels below
	// Base, which is where zero is.
	Left, Right, Top, Base int
	Interval               string
	// End labels the last point: its time since the start.
	End   string
	Max   int64
	Lines []chartLine
}

type chartLine struct {
	Name   string
	Points string // "x,y x,y …"
	Color  string
	Total  int64
}

var chartColors = []string{"#d1242f", "#9a6700", "#8250df", "#0969da", "#1a7f37", "#57606a"}

func newChart(c *gate.Chart) *chartView {
	if c == nil || len(c.Series) == 0 {
		return nil
	}
	v := &chartView{Width: 640, Height: 200, Left: 40, Right: 630, Top: 10, Base: 176, Interval: c.Interval}
	n := 0
	for _, s := range c.Series {
		n = max(n, len(s.Counts))
		for _, x := range s.Counts {
			v.Max = max(v.Max, x)
		}
	}
	if n < 2 || v.Max == 0 {
		return nil
	}
	if d, err := time.ParseDuration(c.Interval); err == nil && d > 0 {
		v.Interval = durationText(d)
		v.End = durationText(d * time.Duration(n-1))
	}
	for i, s := range c.Series {
		var pts []string
		var total int64
		for j, x := range s.Counts {
			total += x
			px := float64(v.Left) + float64(j)*float64(v.Right-v.Left)/float64(n-1)
			py := float64(v.Base) - float64(x)*float64(v.Base-v.Top)/float64(v.Max)
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px, py))
		}
		v.Lines = append(v.Lines, chartLine{Name: s.Name, Points: strings.Join(pts, " "), Color: chartColors[i%len(chartColors)], Total: total})
	}
	return v
}

// durationText writes a duration as the Markdown report does: 10m, 1h, 1h30m, 45s.
func durationText(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// SafePoints is the polyline's points attribute, which the template may use as is: it holds
// only numbers, commas, dots and spaces.
func (l chartLine) SafePoints() template.HTMLAttr {
	for _, r := range l.Points {
		if !strings.ContainsRune("0123456789.,- ", r) {
			return ""
		}
	}
	return template.HTMLAttr(`points="` + l.Points + `"`) //nolint:gosec // checked above: digits and separators only
}
