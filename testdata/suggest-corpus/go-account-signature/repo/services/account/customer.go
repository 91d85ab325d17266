// Package account holds customer profiles.
package account

import (
	"strings"
	"time"
)

// Profile is a customer's profile.
type Profile struct {
	First    string
	Last     string
	Company  string
	JoinedAt time.Time
}

// Customer is a customer with an optional profile.
type Customer struct {
	ID      string
	Email   string
	Profile *Profile
}

// DisplayName is how the customer is greeted.
func DisplayName(p *Profile) string {
	name := strings.TrimSpace(p.First + " " + p.Last)
	if name == "" {
		return p.Company
	}
	return name
}

// Greeting is the first line of a mail to c.
func Greeting(c *Customer) string {
	if c.Profile == nil {
		return "Hello,"
	}
	return "Hello " + DisplayName(c.Profile) + ","
}
