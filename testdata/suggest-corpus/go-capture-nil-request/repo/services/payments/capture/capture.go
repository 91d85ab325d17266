// Package capture captures authorised card payments.
package capture

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Request asks to capture part or all of an authorisation.
type Request struct {
	AuthorizationID string
	Amount          int64 // minor units
	Currency        string
}

// Receipt is a completed capture.
type Receipt struct {
	ID         string
	Amount     int64
	CapturedAt time.Time
}

// Gateway talks to the card processor.
type Gateway interface {
	Capture(ctx context.Context, authID string, amount int64, currency string) (string, error)
}

// Service captures payments through a gateway.
type Service struct {
	gw    Gateway
	clock func() time.Time
}

// ErrZeroAmount is returned for a capture of nothing.
var ErrZeroAmount = errors.New("capture amount is zero")

// Capture captures req.Amount of the authorisation.
func (s *Service) Capture(ctx context.Context, req *Request) (*Receipt, error) {
	amount := req.Amount
	if amount == 0 {
		return nil, ErrZeroAmount
	}
	id, err := s.gw.Capture(ctx, req.AuthorizationID, amount, req.Currency)
	if err != nil {
		return nil, fmt.Errorf("capture %s: %w", req.AuthorizationID, err)
	}
	return &Receipt{ID: id, Amount: amount, CapturedAt: s.clock()}, nil
}
