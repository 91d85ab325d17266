package githubapitest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v4"

	"github.com/releasegate/releasegate/internal/testenv"
)

// One RSA key per test binary: generating one takes a while, and every fake App may share it.
var (
	keyOnce sync.Once
	keyPEM  []byte
	keyPub  *rsa.PublicKey
	keyErr  error
)

func appKeyPEM(t testenv.T) []byte {
	t.Helper()
	keyOnce.Do(func() {
		var k *rsa.PrivateKey
		if k, keyErr = rsa.GenerateKey(rand.Reader, 2048); keyErr == nil {
			keyPub = &k.PublicKey
			keyPEM = pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
		}
	})
	if keyErr != nil {
		t.Fatalf("githubapitest: generating the App's key: %v", keyErr)
	}
	return keyPEM
}

// authKind says who may call a route.
type authKind int

const (
	authNone         authKind = iota // anyone (the manifest conversion: the code is the credential)
	authApp                          // the App's JWT
	authInstallation                 // an installation token, with the route's permission
)

// tokenLifetime is how long an installation token lives, as on GitHub.
const tokenLifetime = time.Hour

// DefaultPermissions are an installation's permissions when AddInstallation is given none:
// what the App's features need (docs/app.md).
var DefaultPermissions = map[string]string{
	"actions": "read", "checks": "write", "contents": "read", "deployments": "write",
	"issues": "write", "metadata": "read", "pull_requests": "write",
}

// Installation is one installation of the App on an account.
type Installation struct {
	ID int64
	// Account is the user or organization login; Repos the repositories it may reach.
	Account string
	Repos   []string
	// Permissions are "name" → "read" or "write".
	Permissions map[string]string
	// Suspended installations get no tokens.
	Suspended bool
}

type token struct {
	installation int64
	expires      time.Time
}

// AddInstallation installs the App on account's repositories (created if new) and returns the
// installation ID. Without permissions it has DefaultPermissions.
func (s *Server) AddInstallation(account string, repos []string, permissions map[string]string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if permissions == nil {
		permissions = DefaultPermissions
	}
	inst := &Installation{ID: s.newID(), Account: account, Repos: repos, Permissions: maps.Clone(permissions)}
	s.insts[inst.ID] = inst
	for _, name := range repos {
		s.repoLocked(account, name)
	}
	return inst.ID
}

// SetPermissions replaces an installation's permissions (tokens minted before keep working,
// with the new permissions, which is stricter than GitHub).
func (s *Server) SetPermissions(id int64, permissions map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if inst := s.insts[id]; inst != nil {
		inst.Permissions = maps.Clone(permissions)
	}
}

// Suspend suspends an installation: no token is minted for it, and its tokens stop working.
func (s *Server) Suspend(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if inst := s.insts[id]; inst != nil {
		inst.Suspended = true
	}
}

// ExpireTokens makes every installation token expired, as an hour passing would.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, tok := range s.tokens {
		tok.expires = time.Now().Add(-time.Second)
	}
}

// TokensMinted is how many installation tokens the server has handed out.
func (s *Server) TokensMinted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.tokens)
}

// authenticate checks the caller as the route requires, answering 401/403/404 as GitHub does.
// It runs under s.mu.
func (c *call) authenticate() bool {
	scheme, cred, _ := strings.Cut(c.r.Header.Get("Authorization"), " ")
	scheme = strings.ToLower(scheme)
	switch c.route.auth {
	case authNone:
		return true
	case authApp:
		if scheme != "bearer" || !c.s.validJWT(cred) {
			c.message(http.StatusUnauthorized, "A JSON web token could not be decoded")
			return false
		}
		return true
	}
	tok := c.s.tokens[cred]
	if (scheme != "token" && scheme != "bearer") || tok == nil || time.Now().After(tok.expires) {
		c.message(http.StatusUnauthorized, "Bad credentials")
		return false
	}
	inst := c.s.insts[tok.installation]
	if inst == nil || inst.Suspended {
		c.message(http.StatusUnauthorized, "Bad credentials")
		return false
	}
	c.inst = inst
	c.w.Header().Set(installationHeader, strconv.FormatInt(inst.ID, 10))
	if owner, name := c.param("owner"), c.param("repo"); owner != "" {
		if !strings.EqualFold(owner, inst.Account) || !containsFold(inst.Repos, name) || c.s.repos[repoKey(owner, name)] == nil {
			c.notFound() // GitHub hides what a token cannot see
			return false
		}
	}
	perm, level, _ := strings.Cut(c.route.permission, ":")
	if perm != "" {
		have := inst.Permissions[perm]
		if have == "" || level == "write" && have != "write" {
			c.message(http.StatusForbidden, "Resource not accessible by integration")
			return false
		}
	}
	return true
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// validJWT checks an App JWT as GitHub does: RS256 with the App's key, iss the App ID (or its
// slug as a client ID stand-in), issued in the past, expiring within ten minutes of issue and
// not yet expired.
func (s *Server) validJWT(raw string) bool {
	claims := &jwt.RegisteredClaims{}
	tok, err := jwt.ParseWithClaims(raw, claims, func(tok *jwt.Token) (any, error) {
		if tok.Method != jwt.SigningMethodRS256 {
			return nil, fmt.Errorf("alg %v", tok.Header["alg"])
		}
		return keyPub, nil
	})
	if err != nil || !tok.Valid || claims.IssuedAt == nil || claims.ExpiresAt == nil {
		return false
	}
	now := time.Now()
	iss := claims.Issuer
	return (iss == strconv.FormatInt(s.opts.AppID, 10)) &&
		!claims.IssuedAt.After(now.Add(time.Minute)) &&
		claims.ExpiresAt.Sub(claims.IssuedAt.Time) <= 10*time.Minute &&
		claims.ExpiresAt.After(now)
}

// mintToken hands out an installation token.
func (s *Server) mintToken(inst *Installation) (string, time.Time) {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	t := "ghs_" + hex.EncodeToString(b)
	expires := time.Now().Add(tokenLifetime).UTC().Truncate(time.Second)
	s.tokens[t] = &token{installation: inst.ID, expires: expires}
	return t, expires
}
