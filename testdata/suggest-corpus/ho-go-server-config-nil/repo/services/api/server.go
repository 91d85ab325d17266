package api

import (
	"net/http"
	"time"
)

// Config holds the server's settings.
type Config struct {
	Timeout time.Duration
}

// Server serves the API.
type Server struct {
	cfg *Config
	mux *http.ServeMux
}

// Timeout is the request timeout.
func (s *Server) Timeout() time.Duration {
	return s.cfg.Timeout
}
