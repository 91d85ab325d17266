package githubapitest

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v4"
)

func appJWT(t *testing.T, s *Server, iss string, iat, exp time.Time, method jwt.SigningMethod) string {
	t.Helper()
	claims := jwt.RegisteredClaims{Issuer: iss, IssuedAt: jwt.NewNumericDate(iat), ExpiresAt: jwt.NewNumericDate(exp)}
	var key any = []byte("hmac-secret")
	if method == jwt.SigningMethodRS256 {
		block, _ := pem.Decode(s.PrivateKey())
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		key = k
	}
	tok, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func send(t *testing.T, s *Server, method, path, auth, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, s.URL()+strings.TrimPrefix(path, "/"), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

func mint(t *testing.T, s *Server, inst int64) string {
	t.Helper()
	now := time.Now()
	status, body := send(t, s, "POST", "/app/installations/"+strconv.FormatInt(inst, 10)+"/access_tokens",
		"Bearer "+appJWT(t, s, strconv.FormatInt(s.AppID(), 10), now.Add(-30*time.Second), now.Add(2*time.Minute), jwt.SigningMethodRS256), "{}")
	if status != http.StatusCreated {
		t.Fatalf("minting a token: %d %s", status, body)
	}
	var tok struct{ Token string }
	if err := json.Unmarshal([]byte(body), &tok); err != nil || !strings.HasPrefix(tok.Token, "ghs_") {
		t.Fatalf("token answer %s", body)
	}
	return "token " + tok.Token
}

func TestAppJWTs(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{AppID: 12})
	now := time.Now()
	tests := []struct {
		name     string
		iss      string
		iat, exp time.Time
		method   jwt.SigningMethod
		want     int
	}{
		{"valid", "12", now.Add(-30 * time.Second), now.Add(2 * time.Minute), jwt.SigningMethodRS256, 200},
		{"another app", "13", now.Add(-30 * time.Second), now.Add(2 * time.Minute), jwt.SigningMethodRS256, 401},
		{"expired", "12", now.Add(-5 * time.Minute), now.Add(-time.Minute), jwt.SigningMethodRS256, 401},
		{"longer than ten minutes", "12", now.Add(-30 * time.Second), now.Add(20 * time.Minute), jwt.SigningMethodRS256, 401},
		{"issued in the future", "12", now.Add(5 * time.Minute), now.Add(8 * time.Minute), jwt.SigningMethodRS256, 401},
		{"not RS256", "12", now.Add(-30 * time.Second), now.Add(2 * time.Minute), jwt.SigningMethodHS256, 401},
	}
	for _, tc := range tests {
		status, body := send(t, s, "GET", "/app", "Bearer "+appJWT(t, s, tc.iss, tc.iat, tc.exp, tc.method), "")
		if status != tc.want {
			t.Errorf("%s: %d %s; want %d", tc.name, status, body, tc.want)
		}
	}
	if status, _ := send(t, s, "GET", "/app", "", ""); status != 401 {
		t.Errorf("no JWT: %d", status)
	}
}

func TestInstallationsSeeOnlyTheirOwn(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	acme := s.AddInstallation("acme", []string{"web"}, nil)
	s.AddInstallation("other", []string{"app"}, nil)
	s.SetFile("other", "app", "main", "secret.txt", []byte("x"))
	s.SetFile("acme", "web", "main", "ok.txt", []byte("x"))
	tok := mint(t, s, acme)
	if status, body := send(t, s, "GET", "/repos/acme/web/contents/ok.txt", tok, ""); status != 200 {
		t.Errorf("own repository: %d %s", status, body)
	}
	if status, _ := send(t, s, "GET", "/repos/other/app/contents/secret.txt", tok, ""); status != 404 {
		t.Errorf("another installation's repository: %d, want 404", status)
	}
	if status, _ := send(t, s, "GET", "/repos/acme/web/contents/ok.txt", "token ghs_forged", ""); status != 401 {
		t.Errorf("a forged token: %d, want 401", status)
	}
	s.SetPermissions(acme, map[string]string{"checks": "read"})
	if status, body := send(t, s, "POST", "/repos/acme/web/check-runs", tok, `{"name":"x","head_sha":"abc"}`); status != 403 || !strings.Contains(body, "Resource not accessible by integration") {
		t.Errorf("without checks:write: %d %s", status, body)
	}
	calls := s.CallsTo("GET /repos/{owner}/{repo}/contents/{path}")
	if len(calls) != 3 || calls[0].Installation != acme {
		t.Errorf("calls recorded: %+v", calls)
	}
	s.Suspend(acme)
	if status, _ := send(t, s, "GET", "/repos/acme/web/contents/ok.txt", tok, ""); status != 401 {
		t.Errorf("a suspended installation's token: %d, want 401", status)
	}
	now := time.Now()
	jwtAuth := "Bearer " + appJWT(t, s, strconv.FormatInt(s.AppID(), 10), now.Add(-30*time.Second), now.Add(2*time.Minute), jwt.SigningMethodRS256)
	if status, _ := send(t, s, "POST", "/app/installations/"+strconv.FormatInt(acme, 10)+"/access_tokens", jwtAuth, "{}"); status != 403 {
		t.Errorf("a token for a suspended installation: %d, want 403", status)
	}
}

func TestStatusReportLimits(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	tok := mint(t, s, s.AddInstallation("acme", []string{"web"}, nil))
	path := "/repos/acme/web/actions/runs/9/deployment_protection_rule"
	for i := range maxReports {
		if status, body := send(t, s, "POST", path, tok, `{"environment_name":"production","comment":"report `+strconv.Itoa(i)+`"}`); status != 204 {
			t.Fatalf("report %d: %d %s", i, status, body)
		}
	}
	if status, _ := send(t, s, "POST", path, tok, `{"environment_name":"production","comment":"one too many"}`); status != 422 {
		t.Errorf("report %d: %d, want 422", maxReports+1, status)
	}
	long, _ := json.Marshal(strings.Repeat("x", maxReportLen+1))
	if status, _ := send(t, s, "POST", "/repos/acme/web/actions/runs/10/deployment_protection_rule", tok, `{"environment_name":"production","comment":`+string(long)+`}`); status != 422 {
		t.Errorf("a report over %d characters: %d, want 422", maxReportLen, status)
	}
	if status, _ := send(t, s, "POST", path, tok, `{"environment_name":"production","state":"rejected","comment":"no"}`); status != 204 {
		t.Errorf("a decision after the reports: %d", status)
	}
	if n := len(s.Reviews()); n != maxReports+1 {
		t.Errorf("%d reviews kept, want %d", n, maxReports+1)
	}
}

// TestValidation: requests that break GitHub's description, answers of the fake that would,
// and requests no route serves are all caught.
func TestValidation(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Lenient: true})
	tok := mint(t, s, s.AddInstallation("acme", []string{"web"}, nil))

	// A state GitHub does not know, and a body of the wrong type.
	send(t, s, "POST", "/repos/acme/web/actions/runs/1/deployment_protection_rule", tok, `{"environment_name":"p","state":"maybe"}`)
	send(t, s, "POST", "/repos/acme/web/check-runs", tok, `{"name":5,"head_sha":"abc"}`)
	if got := s.Invalid(); len(got) != 2 || !strings.Contains(got[0], "deployment_protection_rule") || !strings.Contains(got[1], "check-runs") {
		t.Errorf("invalid requests caught: %q", got)
	}
	if n := len(s.Reviews()); n != 0 {
		t.Errorf("an invalid review was kept")
	}

	// An answer without a required field.
	rt := s.routes["GET "+muxPath("/app")]
	req, _ := http.NewRequestWithContext(t.Context(), "GET", s.URL()+"app", nil)
	buf := &responseBuffer{header: http.Header{"Content-Type": {"application/json"}}, status: 200, params: map[string]string{}}
	buf.body.WriteString(`{"id":1,"slug":"x"}`)
	s.checkResponse(rt, req, buf)
	if got := s.Invalid(); len(got) != 3 || !strings.Contains(got[2], "GET /app") {
		t.Errorf("an invalid answer was not caught: %q", got)
	}

	send(t, s, "GET", "/repos/acme/web/branches", tok, "")
	send(t, s, "DELETE", "/repos/acme/web/contents/x", tok, "")
	if got := s.Unexpected(); len(got) != 2 || got[0].Path != "/repos/acme/web/branches" || got[0].Status != 404 {
		t.Errorf("unexpected requests: %+v", got)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	tok := mint(t, s, s.AddInstallation("acme", []string{"web"}, nil))
	s.InjectFault(Fault{Method: "POST", Path: "/repos/*", Status: 502, Times: 1})
	if status, _ := send(t, s, "POST", "/repos/acme/web/check-runs", tok, `{"name":"x","head_sha":"abc"}`); status != 502 {
		t.Errorf("the fault was not applied: %d", status)
	}
	if n := len(s.CheckRuns()); n != 0 {
		t.Errorf("a request answered by a fault had an effect: %d check runs", n)
	}
	if status, _ := send(t, s, "POST", "/repos/acme/web/check-runs", tok, `{"name":"x","head_sha":"abc"}`); status != 201 {
		t.Errorf("the fault outlived its Times: %d", status)
	}
	s.InjectFault(Fault{Path: "/repos/acme/web/check-runs", NullBody: true, Times: 1})
	if status, body := send(t, s, "POST", "/repos/acme/web/check-runs", tok, `{"name":"y","head_sha":"abc"}`); status != 201 || body != "null" {
		t.Errorf("null body fault: %d %q", status, body)
	}
	s.InjectFault(Fault{PrimaryRateLimit: time.Minute, Times: 1})
	req, _ := http.NewRequestWithContext(t.Context(), "GET", s.URL()+"repos/acme/web/check-runs/1", nil)
	req.Header.Set("Authorization", tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 || resp.Header.Get("X-RateLimit-Remaining") != "0" || resp.Header.Get("X-RateLimit-Reset") == "" {
		t.Errorf("primary rate limit: %d %v", resp.StatusCode, resp.Header)
	}
	calls := s.Calls()
	if last := calls[len(calls)-1]; last.Fault != "primary rate limit" || last.Route != "/repos/{owner}/{repo}/check-runs/{check_run_id}" {
		t.Errorf("the faulted call was recorded as %+v", last)
	}
}
