package pages

import (
	"context"
	"crypto/subtle"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/releasegate/releasegate/gate"
)

// Record is one stored decision.
type Record struct {
	ID          string
	Repo        string
	Environment string
	Release     string
	SHA         string
	// Outcome is the path that decided (pass, fail, deadline, uncovered, config_error,
	// pending); Verdict the gate's.
	Outcome  string
	Verdict  gate.Status
	Created  time.Time
	Decision gate.Decision
}

// Filter narrows the list; empty fields match everything.
type Filter struct {
	Repo, Environment string
	Verdict           gate.Status
	Limit             int
}

// Source reads the stored decisions.
type Source interface {
	Decision(ctx context.Context, id string) (Record, error)
	Decisions(ctx context.Context, f Filter) ([]Record, error)
}

// ErrNotFound is a Source's answer for an unknown decision.
var ErrNotFound = errors.New("no such decision")

// Handler serves the pages.
type Handler struct {
	Source Source
	Signer Signer
	// Secret, when set, opens every page given as the HTTP Basic password.
	Secret string
	Logger *slog.Logger
}

//go:embed templates/*.html
var templateFiles embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"stamp":   func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"verdict": verdictClass,
	"fmtnum":  fmtNumber,
	"join":    strings.Join,
}).ParseFS(templateFiles, "templates/*.html"))

// ServeHTTP routes /decisions and /decisions/{id}.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer") // the signature is in the URL
	w.Header().Set("Cache-Control", "private, no-store")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	rest := strings.TrimPrefix(r.URL.Path, "/decisions")
	switch {
	case rest == "" || rest == "/":
		h.list(w, r)
	case strings.HasPrefix(rest, "/"):
		id := rest[1:]
		if !validID(id) {
			http.NotFound(w, r)
			return
		}
		h.one(w, r, id)
	default:
		http.NotFound(w, r)
	}
}

// basicOK says whether the request carries the shared secret.
func (h *Handler) basicOK(r *http.Request) bool {
	_, pw, ok := r.BasicAuth()
	return ok && h.Secret != "" && subtle.ConstantTimeCompare([]byte(pw), []byte(h.Secret)) == 1
}

func (h *Handler) deny(w http.ResponseWriter, msg string) {
	if h.Secret != "" {
		w.Header().Set("WWW-Authenticate", `Basic realm="releasegate decisions", charset="UTF-8"`)
	}
	h.page(w, http.StatusUnauthorized, "error", map[string]any{"Title": "Not allowed", "Message": msg})
}

func (h *Handler) one(w http.ResponseWriter, r *http.Request, id string) {
	if !h.basicOK(r) {
		if err := h.Signer.Verify(id, r.URL.Query()); err != nil {
			h.deny(w, sentence(err.Error()))
			return
		}
	}
	rec, err := h.Source.Decision(r.Context(), id)
	switch {
	case errors.Is(err, ErrNotFound):
		h.page(w, http.StatusNotFound, "error", map[string]any{"Title": "Not found", "Message": fmt.Sprintf("There is no decision %s.", id)})
		return
	case err != nil:
		h.log(r).Error("reading a decision", "id", id, "err", err)
		h.page(w, http.StatusServiceUnavailable, "error", map[string]any{"Title": "Unavailable", "Message": "The store could not be read; try again in a minute."})
		return
	}
	h.page(w, http.StatusOK, "decision", newDecisionView(rec))
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	if !h.basicOK(r) {
		h.deny(w, "The list of decisions needs the service's shared secret (as the password).")
		return
	}
	q := r.URL.Query()
	f := Filter{Repo: q.Get("repo"), Environment: q.Get("environment"), Verdict: gate.Status(q.Get("verdict")), Limit: 100}
	switch f.Verdict {
	case "", gate.StatusPass, gate.StatusFail, gate.StatusPending:
	default:
		h.page(w, http.StatusBadRequest, "error", map[string]any{"Title": "Bad filter", "Message": "verdict is pass, fail or pending."})
		return
	}
	recs, err := h.Source.Decisions(r.Context(), f)
	if err != nil {
		h.log(r).Error("listing decisions", "err", err)
		h.page(w, http.StatusServiceUnavailable, "error", map[string]any{"Title": "Unavailable", "Message": "The store could not be read; try again in a minute."})
		return
	}
	rows := make([]listRow, len(recs))
	for i, rec := range recs {
		rows[i] = listRow{Record: rec, Link: "/decisions/" + url.PathEscape(rec.ID)}
	}
	h.page(w, http.StatusOK, "list", map[string]any{"Filter": f, "Rows": rows, "Verdicts": []gate.Status{gate.StatusPass, gate.StatusFail, gate.StatusPending}})
}

type listRow struct {
	Record
	Link string
}

// page renders a template whole before writing, so a failure is a 500, not half a page.
func (h *Handler) page(w http.ResponseWriter, status int, name string, data any) {
	var b strings.Builder
	if err := templates.ExecuteTemplate(&b, name+".html", data); err != nil {
		if h.Logger != nil {
			h.Logger.Error("rendering a decision page", "template", name, "err", err)
		}
		http.Error(w, "the page could not be rendered", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String())) // the client went away: nothing left to tell it
}

func (h *Handler) log(r *http.Request) *slog.Logger {
	if h.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Logger.With("path", r.URL.Path)
}

// Link is the signed URL of a decision's page under base (the service's public URL).
func (s Signer) Link(base string, id string) string {
	return strings.TrimRight(base, "/") + "/decisions/" + url.PathEscape(id) + "?" + s.Sign(id).Encode()
}

// validID says whether a path segment can be a decision ID: short, letters, digits and dashes.
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// QueryOf parses a link's query, for tests and callers holding a full URL.
func QueryOf(link string) url.Values {
	u, err := url.Parse(link)
	if err != nil {
		return nil
	}
	return u.Query()
}

// sentence turns an error's words into a sentence for a page: a capital first, a full stop last.
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

func verdictClass(s gate.Status) string {
	switch s {
	case gate.StatusPass, gate.StatusFail, gate.StatusPending, gate.StatusWarn:
		return string(s)
	}
	return "other"
}

func fmtNumber(p *float64) string {
	if p == nil {
		return "—"
	}
	v := *p
	switch {
	case v == float64(int64(v)):
		return strconv.FormatInt(int64(v), 10)
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}
