package serveconf

import (
	"fmt"
	"strconv"
)

// DefaultModelBudget is the model suggester's requests per UTC day when none is set.
const DefaultModelBudget = 50

// Model is the optional model suggester: an OpenAI-compatible chat endpoint asked when the
// rules have no rule for an error. Off unless URL and Name are both set.
type Model struct {
	// URL is the API's base (https://api.example.com/v1); the client posts to
	// URL/chat/completions. https, or http to this machine.
	URL string
	// Name is the model to ask; with URL set, it turns the model suggester on.
	Name string
	// APIKey is the bearer token the endpoint is asked with (none for an endpoint that needs
	// none); set without URL and Name, it is an error.
	APIKey Secret
	// DailyBudget is the most requests a UTC day may make, across every process of the
	// service (the store keeps the count).
	DailyBudget int
}

// Enabled says whether a model suggester is configured.
func (m Model) Enabled() bool { return m.URL != "" || m.Name != "" }

// LoadModel reads the model suggester's configuration from RELEASEGATE_MODEL_URL,
// RELEASEGATE_MODEL, RELEASEGATE_MODEL_API_KEY (or _FILE) and RELEASEGATE_MODEL_DAILY_BUDGET,
// for serve and for `releasegate suggest` alike; every problem at once, as an *Error.
func LoadModel(in Input) (Model, error) {
	l := &loader{getenv: in.Getenv, readFile: in.ReadFile}
	if l.getenv == nil {
		l.getenv = func(string) string { return "" }
	}
	if l.readFile == nil {
		l.readFile = func(name string) ([]byte, error) { return nil, fmt.Errorf("no files can be read here (%s)", name) }
	}
	m := l.model()
	if len(l.problems) > 0 {
		return Model{}, &Error{Problems: l.problems}
	}
	return m, nil
}

func (l *loader) model() Model {
	m := Model{
		URL:         l.plain("", "RELEASEGATE_MODEL_URL", ""),
		Name:        l.plain("", "RELEASEGATE_MODEL", ""),
		APIKey:      l.secret("RELEASEGATE_MODEL_API_KEY"),
		DailyBudget: DefaultModelBudget,
	}
	if b := l.getenv("RELEASEGATE_MODEL_DAILY_BUDGET"); b != "" {
		n, err := strconv.Atoi(b)
		if err != nil || n < 1 {
			l.problemf("RELEASEGATE_MODEL_DAILY_BUDGET: %q is not a number of requests a day (a whole number, 1 or more; unset the model variables to turn the model off)", b)
		}
		m.DailyBudget = n
	}
	if !m.Enabled() {
		if m.APIKey.IsSet() {
			l.problemf("RELEASEGATE_MODEL_API_KEY is set but RELEASEGATE_MODEL_URL and RELEASEGATE_MODEL are not: set both to turn the model suggester on, or unset the key")
		}
		return m
	}
	switch {
	case m.URL == "":
		l.problemf("RELEASEGATE_MODEL is set but RELEASEGATE_MODEL_URL is not: the OpenAI-compatible API's base URL (https://…/v1)")
	case m.Name == "":
		l.problemf("RELEASEGATE_MODEL_URL is set but RELEASEGATE_MODEL is not: the name of the model to ask")
	}
	if m.URL != "" {
		if msg := CheckHTTPS(m.URL); msg != "" {
			l.problemf("RELEASEGATE_MODEL_URL: %s", msg)
		}
	}
	return m
}
