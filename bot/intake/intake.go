package intake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/releasegate/releasegate/internal/githubapi"
	"github.com/releasegate/releasegate/internal/store"
)

// DefaultMaxBody caps a delivery: GitHub caps its payloads at 25 MB; Sentry's are far smaller.
const DefaultMaxBody = 25 << 20

// DefaultStoreTimeout bounds storing one delivery: GitHub gives up on a webhook after 10 s.
const DefaultStoreTimeout = 5 * time.Second

// Outcomes of a delivery, as metrics count them.
const (
	OutcomeStored     = "stored"
	OutcomeDuplicate  = "duplicate"
	OutcomeIgnored    = "ignored"
	OutcomeBadRequest = "bad_request"
	OutcomeBadSig     = "bad_signature"
	OutcomeTooLarge   = "too_large"
	OutcomeStoreError = "store_error"
)

// Acceptor stores a delivery and enqueues its processing (store.Store).
type Acceptor interface {
	Accept(ctx context.Context, d store.Delivery) (isNew bool, err error)
}

// Handler receives the webhooks.
type Handler struct {
	Store Acceptor
	// GitHubSecret is the App's webhook secret.
	GitHubSecret []byte
	// SentrySecrets are the Sentry integrations' client secrets, one per owner.
	SentrySecrets []SentrySecret
	// GitHubEvents and SentryResources are processed; anything else is answered 202 and
	// dropped (GitHub sends an App every event its permissions allow once subscribed).
	GitHubEvents, SentryResources map[string]bool
	MaxBody                       int64
	StoreTimeout                  time.Duration
	Now                           func() time.Time
	Logger                        *slog.Logger
	// Observe counts a delivery by source, event and outcome (nil: not counted).
	Observe func(source, event, outcome string)
}

// GitHub serves POST /webhooks/github.
func (h *Handler) GitHub(w http.ResponseWriter, r *http.Request) {
	event := r.Header.Get("X-GitHub-Event")
	id := r.Header.Get("X-GitHub-Delivery")
	log := h.logger().With("source", store.SourceGitHub, "event", event, "delivery", id)
	body, ok := h.read(w, r, store.SourceGitHub, event, log)
	if !ok {
		return
	}
	if err := githubapi.VerifySignature(r.Header.Get(githubapi.HeaderSignature), body, h.GitHubSecret); err != nil {
		h.finish(w, r, http.StatusUnauthorized, store.SourceGitHub, event, OutcomeBadSig, err.Error(), log)
		return
	}
	switch {
	case event == "ping":
		h.finish(w, r, http.StatusOK, store.SourceGitHub, event, OutcomeIgnored, "pong", log)
		return
	case !h.GitHubEvents[event]:
		h.finish(w, r, http.StatusAccepted, store.SourceGitHub, event, OutcomeIgnored, "event not handled; ignored", log)
		return
	}
	h.store(w, r, store.Delivery{Source: store.SourceGitHub, ID: id, Event: event, Body: body}, log)
}

// Sentry serves POST /webhooks/sentry.
func (h *Handler) Sentry(w http.ResponseWriter, r *http.Request) {
	resource := r.Header.Get("Sentry-Hook-Resource")
	id := r.Header.Get("Request-ID")
	log := h.logger().With("source", store.SourceSentry, "event", resource, "delivery", id)
	body, ok := h.read(w, r, store.SourceSentry, resource, log)
	if !ok {
		return
	}
	owner, err := VerifySentry(body, r.Header.Get("Sentry-Hook-Signature"), h.SentrySecrets)
	if err != nil {
		h.finish(w, r, http.StatusUnauthorized, store.SourceSentry, resource, OutcomeBadSig, err.Error(), log)
		return
	}
	if !h.SentryResources[resource] {
		h.finish(w, r, http.StatusAccepted, store.SourceSentry, resource, OutcomeIgnored, "resource not handled; ignored", log)
		return
	}
	h.store(w, r, store.Delivery{Source: store.SourceSentry, ID: id, Event: resource, Owner: owner, Body: body}, log.With("owner", owner))
}

// read checks the method and content type and reads the capped body.
func (h *Handler) read(w http.ResponseWriter, r *http.Request, source, event string, log *slog.Logger) ([]byte, bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.finish(w, r, http.StatusMethodNotAllowed, source, event, OutcomeBadRequest, "POST only", log)
		return nil, false
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		h.finish(w, r, http.StatusUnsupportedMediaType, source, event, OutcomeBadRequest,
			"the webhook's content type must be application/json (set it in the App's or integration's webhook settings)", log)
		return nil, false
	}
	limit := h.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		h.finish(w, r, http.StatusRequestEntityTooLarge, source, event, OutcomeTooLarge, fmt.Sprintf("body over %d bytes", limit), log)
		return nil, false
	case err != nil:
		h.finish(w, r, http.StatusBadRequest, source, event, OutcomeBadRequest, "reading the body: "+err.Error(), log)
		return nil, false
	}
	return body, true
}

// store stores the delivery, then answers: 202 for a new one, 200 for a redelivery, 503 when
// it could not be stored (the sender keeps it and can redeliver).
func (h *Handler) store(w http.ResponseWriter, r *http.Request, d store.Delivery, log *slog.Logger) {
	var payload struct {
		Action *string `json:"action"`
	}
	if err := json.Unmarshal(d.Body, &payload); err != nil {
		h.finish(w, r, http.StatusBadRequest, d.Source, d.Event, OutcomeBadRequest, "the body is not a JSON object", log)
		return
	}
	if payload.Action != nil {
		d.Action = *payload.Action
	}
	now := time.Now
	if h.Now != nil {
		now = h.Now
	}
	d.ReceivedAt = now().UTC()
	timeout := h.StoreTimeout
	if timeout <= 0 {
		timeout = DefaultStoreTimeout
	}
	// The store must finish what it started even if the sender hangs up: a delivery stored
	// but not acknowledged is redelivered and then found to be a duplicate, never lost.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), timeout)
	defer cancel()
	isNew, err := h.Store.Accept(ctx, d)
	switch {
	case errors.Is(err, store.ErrInvalidDelivery):
		h.finish(w, r, http.StatusBadRequest, d.Source, d.Event, OutcomeBadRequest, err.Error(), log)
	case err != nil:
		log.Error("storing a delivery", "err", err)
		h.finish(w, r, http.StatusServiceUnavailable, d.Source, d.Event, OutcomeStoreError, "could not be stored; redeliver it later", log)
	case !isNew:
		h.finish(w, r, http.StatusOK, d.Source, d.Event, OutcomeDuplicate, "already received", log)
	default:
		h.finish(w, r, http.StatusAccepted, d.Source, d.Event, OutcomeStored, "stored", log)
	}
}

func (h *Handler) finish(w http.ResponseWriter, r *http.Request, status int, source, event, outcome, msg string, log *slog.Logger) {
	if h.Observe != nil {
		h.Observe(source, eventLabel(event), outcome)
	}
	level := slog.LevelInfo
	if status >= 400 {
		level = slog.LevelWarn
	}
	log.Log(r.Context(), level, "delivery", "status", status, "outcome", outcome)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg+"\n") // the sender hung up: the outcome is already recorded
}

func (h *Handler) logger() *slog.Logger {
	if h.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Logger
}

// eventLabel keeps metric labels few: an event name is short, lower case and from a small set;
// anything else (a forged header) is "other".
func eventLabel(e string) string {
	if len(e) == 0 || len(e) > 40 || strings.Trim(e, "abcdefghijklmnopqrstuvwxyz_.") != "" {
		return "other"
	}
	return e
}
