package sentryapi

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// The token goes only to the configured Sentry origin (scheme, host and port), or to a region
// host of it that Sentry itself named over https. These tests run a Sentry under a DNS name
// (sentry.example.com, resolved to loopback by the test's dialer) and a second "sink" listener
// that plays every other host; the sink must never see the token.

// namedHostClient dials every host name to the loopback port in the URL (the test's DNS), and
// trusts the test certificates.
func namedHostClient() *http.Client {
	d := &net.Dialer{}
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			if net.ParseIP(host) == nil {
				addr = net.JoinHostPort("127.0.0.1", port)
			}
			return d.DialContext(ctx, network, addr)
		},
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, // httptest's certificate names no example host
	}}
}

func newNamedFake(t *testing.T, host string) *fake {
	t.Helper()
	f := startFake(t, true)
	f.host = host
	return f
}

// sink is a listener that records every request it gets.
type sink struct {
	srv   *httptest.Server
	mu    sync.Mutex
	paths []string
	auth  []string
}

func newSink(t *testing.T, tlsOn bool, answer func(s *sink, w http.ResponseWriter, r *http.Request)) *sink {
	s := &sink{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.paths = append(s.paths, r.Method+" "+r.URL.Path)
		if a := r.Header.Get("Authorization"); a != "" {
			s.auth = append(s.auth, a)
		}
		s.mu.Unlock()
		if answer != nil {
			answer(s, w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"state":"ok","missingChunks":[]}`))
	})
	if tlsOn {
		s.srv = httptest.NewTLSServer(h)
	} else {
		s.srv = httptest.NewServer(h)
	}
	t.Cleanup(s.srv.Close)
	return s
}

func (s *sink) port() string { return s.srv.URL[strings.LastIndexByte(s.srv.URL, ':')+1:] }

func (s *sink) seen() (paths, auth []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.paths...), append([]string(nil), s.auth...)
}

func TestTokenOnlyToTheConfiguredOrigin(t *testing.T) {
	t.Parallel()
	const base = "/api/0/organizations/acme/"
	tests := []struct {
		name string
		// sinkTLS says whether the sink speaks https; sinkURL builds its URL from its port.
		sinkTLS bool
		sinkURL func(port string) string
		// run drives the client against the fake f, with the sink's URL.
		run func(t *testing.T, f *fake, c *Client, sinkURL string) error
		// wantErr is part of the expected error; "" means success.
		wantErr string
		// sinkGets says whether the sink may be contacted at all (never with the token).
		sinkGets bool
	}{
		{
			name: "GET redirected to another domain is not followed", sinkTLS: true,
			sinkURL: func(p string) string { return "https://sink.example.net:" + p + "/elsewhere/" },
			run: func(t *testing.T, f *fake, c *Client, to string) error {
				f.handle("GET", base+"releases/1.0/", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, to, http.StatusTemporaryRedirect) })
				_, err := c.GetRelease(t.Context(), "acme", "1.0", ReleaseOptions{})
				return err
			},
			wantErr: "follows no redirect away from",
		},
		{
			name: "https downgraded to http on the same host is not followed",
			sinkURL: func(p string) string {
				return "http://sentry.example.com:" + p + "/sentry/api/0/organizations/acme/releases/1.0/"
			},
			run: func(t *testing.T, f *fake, c *Client, to string) error {
				f.handle("GET", base+"releases/1.0/", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, to, http.StatusMovedPermanently) })
				_, err := c.GetRelease(t.Context(), "acme", "1.0", ReleaseOptions{})
				return err
			},
			wantErr: "follows no redirect away from",
		},
		{
			name: "same host, another port, is another origin", sinkTLS: true,
			sinkURL: func(p string) string {
				return "https://sentry.example.com:" + p + "/sentry/api/0/organizations/acme/releases/1.0/"
			},
			run: func(t *testing.T, f *fake, c *Client, to string) error {
				f.handle("GET", base+"releases/1.0/", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, to, http.StatusFound) })
				_, err := c.GetRelease(t.Context(), "acme", "1.0", ReleaseOptions{})
				return err
			},
			wantErr: "follows no redirect away from",
		},
		{
			name: "chunk-upload options redirected to a host that names itself", sinkTLS: true,
			sinkURL: func(p string) string {
				return "https://sink.example.net:" + p + "/api/0/organizations/acme/chunk-upload/"
			},
			run: func(t *testing.T, f *fake, c *Client, to string) error {
				f.handle("GET", base+"chunk-upload/", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, to, http.StatusTemporaryRedirect) })
				o, err := c.ChunkUploadOptions(t.Context(), "acme")
				if err != nil {
					return err
				}
				return c.UploadChunks(t.Context(), o, []Chunk{NewChunk([]byte("secret source"))})
			},
			wantErr: "307",
		},
		{
			name: "upload URL on another domain is refused", sinkTLS: true,
			sinkURL: func(p string) string {
				return "https://upload.example.net:" + p + "/api/0/organizations/acme/chunk-upload/"
			},
			run: func(t *testing.T, f *fake, c *Client, to string) error {
				f.reply("GET", base+"chunk-upload/", 200, []byte(`{"url":"`+to+`","chunkSize":1024,"hashAlgorithm":"sha1"}`))
				_, err := c.ChunkUploadOptions(t.Context(), "acme")
				return err
			},
			wantErr: "neither https://sentry.example.com",
		},
		{
			name: "upload URL on a region host over http is refused",
			sinkURL: func(p string) string {
				return "http://us.sentry.example.com:" + p + "/api/0/organizations/acme/chunk-upload/"
			},
			run: func(t *testing.T, f *fake, c *Client, to string) error {
				f.reply("GET", base+"chunk-upload/", 200, []byte(`{"url":"`+to+`","chunkSize":1024,"hashAlgorithm":"sha1"}`))
				_, err := c.ChunkUploadOptions(t.Context(), "acme")
				return err
			},
			wantErr: "refusing to send the token",
		},
		{
			name:    "upload URL on a loopback IP is refused for a named Sentry",
			sinkURL: func(p string) string { return "http://127.0.0.1:" + p + "/api/0/organizations/acme/chunk-upload/" },
			run: func(t *testing.T, f *fake, c *Client, to string) error {
				// Options as UploadChunks would get them from a server that lied about the URL.
				return c.UploadChunks(t.Context(), &ChunkOptions{URL: to, ChunkSize: 1024, ChunksPerRequest: 64, MaxRequestSize: 1 << 20}, []Chunk{NewChunk([]byte("x"))})
			},
			wantErr: "refusing to send the token",
		},
		{
			name: "assemble redirected to another host is not success", sinkTLS: true,
			sinkURL: func(p string) string { return "https://sink.example.net:" + p + "/assemble/" },
			run: func(t *testing.T, f *fake, c *Client, to string) error {
				f.handle("POST", base+"artifactbundle/assemble/", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, to, http.StatusTemporaryRedirect) })
				chunk := NewChunk([]byte("bundle"))
				_, err := c.AssembleArtifactBundle(t.Context(), "acme", AssembleRequest{Checksum: chunk.SHA1, Chunks: []string{chunk.SHA1}, Projects: []string{"web"}})
				return err
			},
			wantErr: "follows no redirect away from",
		},
		{
			name: "upload URL on a region host over https gets the token (control)", sinkTLS: true, sinkGets: true,
			sinkURL: func(p string) string {
				return "https://us.sentry.example.com:" + p + "/api/0/organizations/acme/chunk-upload/"
			},
			run: func(t *testing.T, f *fake, c *Client, to string) error {
				f.reply("GET", base+"chunk-upload/", 200, []byte(`{"url":"`+to+`","chunkSize":1024,"hashAlgorithm":"sha1"}`))
				o, err := c.ChunkUploadOptions(t.Context(), "acme")
				if err != nil {
					return err
				}
				return c.UploadChunks(t.Context(), o, []Chunk{NewChunk([]byte("x"))})
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSink(t, tc.sinkTLS, func(s *sink, w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "/chunk-upload/") && r.Method == http.MethodGet {
					w.Header().Set("Content-Type", "application/json")
					w.Write([]byte(`{"url":"https://sink.example.net:` + s.port() + `/api/0/organizations/acme/chunk-upload/","chunkSize":1024,"hashAlgorithm":"sha1"}`))
					return
				}
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"state":"ok","missingChunks":[]}`))
			})
			f := newNamedFake(t, "sentry.example.com")
			c := f.client(t, func(o *Options) { o.HTTPClient = namedHostClient() })
			err := tc.run(t, f, c, tc.sinkURL(s.port()))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("err = %v, want success", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
			}
			paths, auth := s.seen()
			if tc.sinkGets {
				if len(paths) == 0 || len(auth) != len(paths) {
					t.Errorf("the region host got %v with %d tokens, want every request with the token", paths, len(auth))
				}
				return
			}
			if len(paths) > 0 {
				t.Errorf("the sink was contacted: %v", paths)
			}
			if len(auth) > 0 {
				t.Errorf("the sink received the token")
			}
		})
	}
}

// A redirect within the origin (a moved path) is followed with the token.
func TestSameOriginRedirectFollowed(t *testing.T) {
	t.Parallel()
	f := newNamedFake(t, "sentry.example.com")
	f.handle("GET", "/api/0/organizations/acme/releases/old/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.Replace(r.URL.Path, "/old/", "/1.0/", 1), http.StatusMovedPermanently)
	})
	var auth string
	f.handle("GET", "/api/0/organizations/acme/releases/1.0/", func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		w.Write(specExample(t, "getOrganizationRelease", 200))
	}).optional = true
	c := f.client(t, func(o *Options) { o.HTTPClient = namedHostClient() })
	if _, err := c.GetRelease(t.Context(), "acme", "old", ReleaseOptions{}); err != nil {
		t.Fatal(err)
	}
	if auth != "Bearer "+testToken {
		t.Errorf("the same-origin redirect lost the token: %q", auth)
	}
}

func TestPlainHTTPBaseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url      string
		allow    bool
		insecure bool // refused as insecure
	}{
		{"http://sentry.example.com/", false, true},
		{"http://sentry.example.com/", true, false},
		{"http://10.0.0.5:9000/", false, true},
		{"http://127.0.0.1:9000/", false, false},
		{"http://localhost:9000/", false, false},
		{"http://[::1]:9000/", false, false},
		{"http://sentry.localhost/", false, false},
		{"https://sentry.example.com/", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			t.Parallel()
			err := Options{BaseURL: tc.url, Token: "t", AllowInsecure: tc.allow}.Validate()
			var ie *InsecureURLError
			if got := errors.As(err, &ie); got != tc.insecure {
				t.Fatalf("Validate(%s, allow=%v) = %v, want insecure=%v", tc.url, tc.allow, err, tc.insecure)
			}
			if tc.insecure && !strings.Contains(err.Error(), "--allow-insecure") {
				t.Errorf("the error does not say how to allow it: %v", err)
			}
		})
	}
}

func mustParse(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestRegionHostOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		base, u string
		want    bool
	}{
		{"https://sentry.io/", "https://us.sentry.io/api/0/", true},
		{"https://sentry.io/", "https://o1.ingest.de.sentry.io/x", true},
		{"https://de.sentry.io/", "https://sentry.io/", true},
		{"https://sentry.io/", "http://us.sentry.io/", false},
		{"https://sentry.io/", "https://sentry.io.evil.example/", false},
		{"https://sentry.io/", "https://evilsentry.io/", false},
		{"https://acme.github.io/", "https://other.github.io/", false}, // github.io is a public suffix
		{"https://127.0.0.1/", "https://127.0.0.1:8443/", false},
		{"https://localhost/", "https://localhost:8443/", false},
	}
	for _, tc := range tests {
		b, u := mustParse(t, tc.base), mustParse(t, tc.u)
		if got := regionHostOf(b, u); got != tc.want {
			t.Errorf("regionHostOf(%s, %s) = %v, want %v", tc.base, tc.u, got, tc.want)
		}
	}
}
