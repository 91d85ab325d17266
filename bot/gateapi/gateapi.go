// Package gateapi is the gate other deploy tools can ask: GET /api/v1/gate for Argo Rollouts'
// web metric provider, and POST /api/v1/flagger/{hook} for Flagger's webhooks. Both answer from
// the same evaluation as the protection rule and the CLI, guarded by a bearer token.
//
// Argo reads the decision's JSON (the gate's --format json contract) and judges it with
// successCondition / failureCondition over $.verdict: a pending gate matches neither, so Argo
// sees it as inconclusive, never as a failure. Flagger judges only the status code, and each
// hook type means something different by it (see Flagger).
package gateapi

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"

	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/gate"
)

// Query names the decision asked for.
type Query struct {
	Repo, Release, Environment string
}

// Evaluator makes (or recalls) the gate's decision. Errors carry their kind: errkind.Config for
// a configuration the gate cannot run on (no installation for the owner, a bad policy, a
// release or project Sentry does not know, a token it refuses), errkind.Undecided when no
// answer could be had.
type Evaluator interface {
	Gate(ctx context.Context, q Query) (gate.Decision, error)
}

// Handler serves /api/v1/.
type Handler struct {
	Evaluator Evaluator
	// Token is the bearer token callers must present; empty disables the API (404), so an
	// unguarded gate is never served by accident.
	Token  string
	Logger *slog.Logger
	// Observe counts an answer by endpoint and verdict (nil: not counted).
	Observe func(endpoint, verdict string)
}

// maxFlaggerBody caps Flagger's hook body: a name, a namespace, a phase and a few strings.
const maxFlaggerBody = 64 << 10

var (
	repoPattern = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$`)
)

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.Token == "" {
		http.NotFound(w, r)
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/api/v1")
	if strings.HasPrefix(path, "/flagger/") {
		// Flagger's webhooks cannot carry headers: the token may come in the hook's metadata.
		h.flagger(w, r, strings.TrimPrefix(path, "/flagger/"))
		return
	}
	if !h.authorized(r) {
		h.unauthorized(w)
		return
	}
	if path != "/gate" {
		writeError(w, http.StatusNotFound, "unknown endpoint: use /api/v1/gate or /api/v1/flagger/{hook}")
		return
	}
	h.gate(w, r)
}

func (h *Handler) authorized(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && h.tokenOK(strings.TrimSpace(tok))
}

func (h *Handler) tokenOK(tok string) bool {
	return tok != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(h.Token)) == 1
}

func (h *Handler) unauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="releasegate"`)
	writeError(w, http.StatusUnauthorized, "a token is required: Authorization: Bearer <RELEASEGATE_API_TOKEN> (Flagger: metadata token)")
}

// gate answers Argo: 200 with the decision for pass, fail and pending alike; an error status
// (which Argo counts towards consecutiveErrorLimit) only when there is no decision.
func (h *Handler) gate(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeError(w, http.StatusMethodNotAllowed, "GET only")
		return
	}
	q := Query{Repo: r.URL.Query().Get("repo"), Release: r.URL.Query().Get("release"), Environment: r.URL.Query().Get("environment")}
	if msg := q.check(); msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	d, err := h.Evaluator.Gate(r.Context(), q)
	if err != nil {
		h.failed(w, r, "gate", q, err)
		return
	}
	h.observe("gate", string(d.Verdict))
	var b bytes.Buffer
	if err := gate.Render(&b, d, "json"); err != nil {
		h.failed(w, r, "gate", q, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b.Bytes()) // the caller went away
}

// FlaggerHook is Flagger's webhook body.
type FlaggerHook struct {
	Name      string            `json:"name"`
	Namespace string            `json:"namespace"`
	Phase     string            `json:"phase"`
	Metadata  map[string]string `json:"metadata"`
}

// Hook types, as Flagger names them.
var hookKinds = map[string]string{
	"confirm-rollout":          "confirm",
	"confirm-promotion":        "confirm",
	"confirm-traffic-increase": "confirm",
	"pre-rollout":              "check",
	"rollout":                  "check",
	"rollback":                 "rollback",
	"post-rollout":             "notice",
	"event":                    "notice",
}

// flagger answers one of Flagger's hooks, authenticated by the bearer token or, since a
// Flagger webhook has no headers, by the same token as the hook's metadata "token". Flagger
// reads only the status (2xx advances), so:
//
//   - confirm-*: 200 once the gate passes; 423 while it is pending or when it fails (Flagger
//     keeps the canary paused and asks again; a failed gate rolls back through the rollback
//     hook);
//   - pre-rollout, rollout: 200 while the gate passes or is pending; 412 when it fails, which
//     Flagger counts towards its rollback threshold;
//   - rollback: 200 (roll back) when the gate fails or is misconfigured; 409 otherwise;
//   - post-rollout, event: 200, nothing evaluated.
//
// A configuration error never reads as a pass: confirm hooks stay paused, checks fail, and
// rollback rolls back.
func (h *Handler) flagger(w http.ResponseWriter, r *http.Request, hook string) {
	kind, ok := hookKinds[hook]
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("unknown Flagger hook %q: use one of confirm-rollout, confirm-promotion, confirm-traffic-increase, pre-rollout, rollout, rollback, post-rollout, event", hook))
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, "POST only")
		return
	}
	var body FlaggerHook
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxFlaggerBody))
	if err == nil {
		err = json.Unmarshal(data, &body)
	}
	if err != nil {
		if !h.authorized(r) {
			h.unauthorized(w)
			return
		}
		writeError(w, http.StatusBadRequest, "the body is not Flagger's webhook JSON: "+err.Error())
		return
	}
	if !h.authorized(r) && !h.tokenOK(body.Metadata["token"]) {
		h.unauthorized(w)
		return
	}
	if kind == "notice" {
		writeJSON(w, http.StatusOK, map[string]string{"status": "noted"})
		return
	}
	q := Query{Repo: body.Metadata["repo"], Release: body.Metadata["release"], Environment: body.Metadata["environment"]}
	if msg := q.check(); msg != "" {
		writeError(w, http.StatusBadRequest, msg+" (set them under the webhook's metadata: repo, release, environment)")
		return
	}
	d, err := h.Evaluator.Gate(r.Context(), q)
	configErr := err != nil && errkind.Of(err) == errkind.Config
	if err != nil && !configErr {
		h.failed(w, r, "flagger/"+hook, q, err)
		return
	}
	verdict := string(d.Verdict)
	if configErr {
		verdict = "config_error"
	}
	h.observe("flagger/"+hook, verdict)
	answer := map[string]string{"verdict": verdict, "reason": d.Reason, "hook": hook}
	if configErr {
		answer["reason"] = err.Error()
	}
	status := http.StatusOK
	switch kind {
	case "confirm":
		if verdict != string(gate.StatusPass) {
			status = http.StatusLocked
		}
	case "check":
		if verdict == string(gate.StatusFail) || configErr {
			status = http.StatusPreconditionFailed
		}
	case "rollback":
		if verdict != string(gate.StatusFail) && !configErr {
			status = http.StatusConflict
		}
	}
	writeJSON(w, status, answer)
}

// failed answers when there is no decision: 422 for a configuration error (retrying will not
// help), 503 when the answer could not be had.
func (h *Handler) failed(w http.ResponseWriter, r *http.Request, endpoint string, q Query, err error) {
	status := http.StatusServiceUnavailable
	verdict := "error"
	if errkind.Of(err) == errkind.Config {
		status, verdict = http.StatusUnprocessableEntity, "config_error"
	}
	h.observe(endpoint, verdict)
	if h.Logger != nil {
		h.Logger.LogAttrs(r.Context(), slog.LevelWarn, "gate api", slog.String("endpoint", endpoint), slog.String("repo", q.Repo),
			slog.String("release", q.Release), slog.String("environment", q.Environment), slog.Any("err", err))
	}
	msg := err.Error()
	if status == http.StatusServiceUnavailable {
		msg = "no decision could be made now: " + msg + "; ask again"
	}
	writeError(w, status, msg)
}

func (h *Handler) observe(endpoint, verdict string) {
	if h.Observe != nil {
		h.Observe(endpoint, verdict)
	}
}

// check says what is missing or malformed in a query ("" when nothing).
func (q Query) check() string {
	var missing []string
	if q.Repo == "" {
		missing = append(missing, "repo")
	}
	if q.Release == "" {
		missing = append(missing, "release")
	}
	if q.Environment == "" {
		missing = append(missing, "environment")
	}
	if len(missing) > 0 {
		return "missing " + strings.Join(missing, ", ") + ": ask for ?repo=OWNER/NAME&release=RELEASE&environment=ENVIRONMENT"
	}
	if !repoPattern.MatchString(q.Repo) {
		return fmt.Sprintf("repo %q is not OWNER/NAME", q.Repo)
	}
	if len(q.Release) > 200 || len(q.Environment) > 64 {
		return "release (200) or environment (64 characters) too long"
	}
	return ""
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // only fails when the caller went away: nothing left to tell it
}
