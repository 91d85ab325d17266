// Package setup runs GitHub's manifest flow for `releasegate app setup`: a page whose form posts
// the App's manifest to GitHub, and the callback that exchanges GitHub's code for the new App's
// credentials and hands them to a Store (files of mode 0600, or the terminal for a secret store).
//
// It is served by its own command, not by `serve`: until the flow has run there are no
// credentials for `serve` to start with. Three secrets keep a stranger from finishing the flow
// with an App of their own (whose credentials the service would then run on): the setup link's
// key, printed on the operator's terminal only; a state per page, random and single-use, that
// GitHub hands back on the callback; and a cookie binding that state to the browser that asked
// for it.
package setup

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/releasegate/releasegate/bot/manifest"
	"github.com/releasegate/releasegate/internal/githubapi"
	"github.com/releasegate/releasegate/internal/serveconf"
)

// StateTTL is how long a state is accepted: GitHub wants the whole flow done within an hour.
const StateTTL = time.Hour

// maxPending bounds the states outstanding at once (one per page load), so a loop reloading
// the page cannot grow the handler without end; the oldest is forgotten first.
const maxPending = 32

// cookieName carries the page's state back to the callback in the same browser.
const cookieName = "releasegate_setup_state"

// Exchanger turns the manifest flow's code into the new App's credentials
// (githubapi.Client.CompleteManifest on an anonymous client).
type Exchanger interface {
	CompleteManifest(ctx context.Context, code string) (*githubapi.AppCredentials, error)
}

// Store keeps the credentials where the service will read them, and says where for the
// closing page (never the secrets themselves).
type Store interface {
	Store(ctx context.Context, creds *githubapi.AppCredentials) (Stored, error)
}

// Stored is what a Store tells the person who ran the flow.
type Stored struct {
	// Files are the files written, each with the variable that reads it; nil when the
	// credentials were printed on the terminal instead.
	Files []StoredFile
	// Where says in a sentence where the credentials went.
	Where string
}

// StoredFile is one credential file and the variable `serve` reads it through.
type StoredFile struct {
	Path, Variable string
}

// Options configure a Handler.
type Options struct {
	// Manifest is the App to register (manifest.New).
	Manifest manifest.Manifest
	// WebURL is GitHub's site ("https://github.com/", or a GitHub Enterprise Server's).
	WebURL string
	// Org registers the App under this organization; empty: under the signed-in user.
	Org string
	// Exchange and Store complete the flow.
	Exchange Exchanger
	Store    Store
	// Key is the setup link's secret (NewKey); the page opens only with ?key=Key.
	Key string
	// Random feeds the states (nil: crypto/rand); Now is the clock (nil: time.Now).
	Random io.Reader
	Now    func() time.Time
	Logger *slog.Logger
}

// Result is the flow's outcome: the App registered and where its credentials went.
type Result struct {
	App    *githubapi.AppCredentials
	Stored Stored
}

// Handler serves GET /setup and GET /setup/callback.
type Handler struct {
	opts      Options
	newAppURL string // without the state
	secure    bool   // the public URL is https: the cookie is Secure

	flow     sync.Mutex // one exchange at a time, so two tabs cannot register two Apps' files
	mu       sync.Mutex
	pending  map[string]time.Time // state → when it was issued
	order    []string             // states by age
	finished bool
	done     chan Result
}

// NewKey is a fresh setup-link key.
func NewKey(random io.Reader) (string, error) {
	return randomToken(random)
}

// New checks the options and returns the handler.
func New(opts Options) (*Handler, error) {
	if opts.Exchange == nil || opts.Store == nil {
		return nil, errors.New("setup: Exchange and Store are required")
	}
	if len(opts.Key) < 16 {
		return nil, errors.New("setup: the link key is missing or too short (use NewKey)")
	}
	if opts.Random == nil {
		opts.Random = rand.Reader
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	newApp, err := NewAppURL(opts.WebURL, opts.Org)
	if err != nil {
		return nil, err
	}
	pub, err := url.Parse(opts.Manifest.URL)
	if err != nil || pub.Host == "" {
		return nil, fmt.Errorf("setup: the manifest's url %q is not the service's public URL (build it with manifest.New)", opts.Manifest.URL)
	}
	return &Handler{
		opts: opts, newAppURL: newApp, secure: pub.Scheme == "https",
		pending: map[string]time.Time{}, done: make(chan Result, 1),
	}, nil
}

// NewAppURL is the page of GitHub's site the manifest is posted to: the signed-in user's new
// App, or the organization's.
func NewAppURL(webURL, org string) (string, error) {
	u, err := url.Parse(webURL)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.User != nil {
		return "", fmt.Errorf("setup: GitHub's site %q is not a base URL like https://github.com/ (RELEASEGATE_GITHUB_URL)", webURL)
	}
	if serveconf.CheckHTTPS(webURL) != "" {
		return "", fmt.Errorf("setup: GitHub's site %q: use https:// (plain http only for localhost)", webURL)
	}
	base := strings.TrimRight(u.String(), "/")
	if org == "" {
		return base + "/settings/apps/new", nil
	}
	if !serveconf.ValidLogin(org) {
		return "", fmt.Errorf("setup: %q is not a GitHub organization name (--org)", org)
	}
	return base + "/organizations/" + org + "/settings/apps/new", nil
}

// Done yields the result once the credentials are stored.
func (h *Handler) Done() <-chan Result { return h.done }

// SetupPath is the page's path and query, the link the command prints (after the public URL).
func (h *Handler) SetupPath() string { return "/setup?key=" + url.QueryEscape(h.opts.Key) }

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer") // the link's key must not leave in a Referer
	w.Header().Set("X-Frame-Options", "DENY")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		h.page(w, http.StatusMethodNotAllowed, errorPage{Title: "Method not allowed", Message: "Open the setup link in a browser."})
		return
	}
	switch r.URL.Path {
	case "/setup":
		h.start(w, r)
	case "/setup/callback":
		h.callback(w, r)
	default:
		h.page(w, http.StatusNotFound, errorPage{Title: "Not found", Message: "This server only runs the App's setup: open the link `releasegate app setup` printed."})
	}
}

// start shows the form that posts the manifest to GitHub, with a fresh state.
func (h *Handler) start(w http.ResponseWriter, r *http.Request) {
	if subtle.ConstantTimeCompare([]byte(r.URL.Query().Get("key")), []byte(h.opts.Key)) != 1 {
		h.page(w, http.StatusForbidden, errorPage{Title: "Open the setup link",
			Message: "This page opens only from the link `releasegate app setup` printed on its terminal (it carries a key)."})
		return
	}
	h.mu.Lock()
	if h.finished {
		h.mu.Unlock()
		h.page(w, http.StatusGone, errorPage{Title: "Already set up", Message: "The App was created and its credentials stored; this setup run is over."})
		return
	}
	state, err := randomToken(h.opts.Random)
	if err != nil {
		h.mu.Unlock()
		h.page(w, http.StatusInternalServerError, errorPage{Title: "No randomness", Message: "Could not make a state for the flow; try again."})
		return
	}
	h.remember(state)
	h.mu.Unlock()

	data, err := h.opts.Manifest.JSON()
	if err != nil {
		h.page(w, http.StatusInternalServerError, errorPage{Title: "Bad manifest", Message: err.Error()})
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: state, Path: "/setup", MaxAge: int(StateTTL / time.Second),
		HttpOnly: true, Secure: h.secure,
		// Lax: the browser sends it on GitHub's redirect back (a top-level GET), never on a
		// request another site makes in the background.
		SameSite: http.SameSiteLaxMode,
	})
	h.page(w, http.StatusOK, startPage{
		Action: h.newAppURL + "?state=" + url.QueryEscape(state), Manifest: string(data),
		Name: h.opts.Manifest.Name, Org: h.opts.Org, PublicURL: h.opts.Manifest.URL,
		Permissions: manifest.Permissions,
	})
}

// remember records a state, forgetting expired ones and the oldest beyond maxPending. Called
// with mu held.
func (h *Handler) remember(state string) {
	now := h.opts.Now()
	kept := h.order[:0]
	for _, s := range h.order {
		if issued, ok := h.pending[s]; ok && now.Sub(issued) < StateTTL {
			kept = append(kept, s)
		} else {
			delete(h.pending, s)
		}
	}
	h.order = kept
	for len(h.order) >= maxPending {
		delete(h.pending, h.order[0])
		h.order = h.order[1:]
	}
	h.pending[state] = now
	h.order = append(h.order, state)
}

// claim takes a state for a callback: it must be one this run issued, unexpired, unused, and
// the one this browser's cookie holds. A claimed state is gone, so a callback replayed (the
// same code and state twice) is refused before GitHub is asked.
func (h *Handler) claim(r *http.Request) (string, bool) {
	state := r.URL.Query().Get("state")
	c, err := r.Cookie(cookieName)
	if state == "" || err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(state)) != 1 {
		return "", false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	var found string
	for s := range h.pending { // compared in constant time, and all of them
		if subtle.ConstantTimeCompare([]byte(s), []byte(state)) == 1 {
			found = s
		}
	}
	if found == "" {
		return "", false
	}
	issued := h.pending[found]
	delete(h.pending, found)
	return found, h.opts.Now().Sub(issued) < StateTTL
}

func (h *Handler) callback(w http.ResponseWriter, r *http.Request) {
	h.flow.Lock()
	defer h.flow.Unlock()
	if h.isFinished() {
		h.page(w, http.StatusGone, errorPage{Title: "Already set up", Message: "The App was created and its credentials stored; this setup run is over."})
		return
	}
	if _, ok := h.claim(r); !ok {
		h.opts.Logger.WarnContext(r.Context(), "setup callback refused: unknown, used or expired state, or another browser")
		h.page(w, http.StatusBadRequest, errorPage{Title: "This callback is not this setup's",
			Message: "Its state is unknown, already used or expired, or it reached another browser than the one that started. " +
				"Open the setup link printed on the terminal again, in the same browser, and create the App from there. " +
				"If GitHub did create an App, delete it in its settings first."})
		return
	}
	code := r.URL.Query().Get("code")
	if code == "" {
		h.page(w, http.StatusBadRequest, errorPage{Title: "No code", Message: "GitHub's redirect carries a code; without it nothing can be exchanged. Open the setup link again."})
		return
	}
	creds, err := h.opts.Exchange.CompleteManifest(r.Context(), code)
	if err != nil {
		h.opts.Logger.ErrorContext(r.Context(), "setup: exchanging the manifest code", "err", err)
		h.page(w, http.StatusBadGateway, errorPage{Title: "GitHub did not hand over the App",
			Message: fmt.Sprintf("Exchanging the code failed: %v. A code works once and for an hour: open the setup link again "+
				"(and delete the App in GitHub's settings if it was created).", err)})
		return
	}
	stored, err := h.opts.Store.Store(r.Context(), creds)
	if err != nil {
		h.opts.Logger.ErrorContext(r.Context(), "setup: storing the credentials", "app_id", creds.ID, "err", err)
		h.page(w, http.StatusInternalServerError, errorPage{Title: "The credentials could not be stored",
			Message: fmt.Sprintf("GitHub created the App %q (ID %d), but storing its credentials failed: %v. "+
				"GitHub shows the private key only once: in the App's settings (%s) generate a new private key and a new webhook secret, "+
				"or delete the App and run setup again.", creds.Slug, creds.ID, err, creds.HTMLURL)})
		return
	}
	h.mu.Lock()
	h.finished = true
	h.pending, h.order = map[string]time.Time{}, nil
	h.mu.Unlock()
	h.opts.Logger.InfoContext(r.Context(), "setup: App created", "app_id", creds.ID, "slug", creds.Slug)
	h.page(w, http.StatusOK, donePage{App: creds, Stored: stored, InstallURL: installURL(creds.HTMLURL)})
	h.done <- Result{App: creds, Stored: stored} // once: finished is set, under flow
}

func (h *Handler) isFinished() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.finished
}

// installURL is where the App is installed on accounts and repositories.
func installURL(htmlURL string) string {
	if htmlURL == "" {
		return ""
	}
	return strings.TrimRight(htmlURL, "/") + "/installations/new"
}

func randomToken(random io.Reader) (string, error) {
	if random == nil {
		random = rand.Reader
	}
	b := make([]byte, 32)
	if _, err := io.ReadFull(random, b); err != nil {
		return "", fmt.Errorf("setup: reading random bytes: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
