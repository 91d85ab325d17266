// Package refund issues refunds against captured card payments.
package refund

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/getsentry/sentry-go"
)

// ErrExceedsCapture is returned when a refund asks for more than was captured.
var ErrExceedsCapture = errors.New("refund exceeds capture")

// Payment is a captured card payment.
type Payment struct {
	ID       string
	Captured int64 // minor units
	Refunded int64
}

// Store reads and writes payments.
type Store interface {
	Payment(ctx context.Context, id string) (*Payment, error)
	AddRefund(ctx context.Context, id string, amount int64, at time.Time) error
}

// Service issues refunds.
type Service struct {
	store Store
	now   func() time.Time
}

// New returns a Service over store.
func New(store Store) *Service {
	return &Service{store: store, now: time.Now}
}

// Refundable is what is left to refund on p.
func Refundable(p *Payment) int64 {
	return p.Captured - p.Refunded
}

// Refund refunds amount (minor units) of the payment id.
func (s *Service) Refund(ctx context.Context, id string, amount int64) error {
	if amount <= 0 {
		return fmt.Errorf("refund %s: amount %d is not positive", id, amount)
	}
	p, err := s.store.Payment(ctx, id)
	if err != nil {
		return fmt.Errorf("refund %s: %w", id, err)
	}
	if amount > Refundable(p) {
		// Report the sentinel so that Sentry groups every over-refund together.
		err := fmt.Errorf("refund %s of %d: %w", id, amount, ErrExceedsCapture)
		if hub := sentry.GetHubFromContext(ctx); hub != nil {
			hub.CaptureException(ErrExceedsCapture)
		}
		return err
	}
	if err := s.store.AddRefund(ctx, id, amount, s.now()); err != nil {
		return fmt.Errorf("refund %s: %w", id, err)
	}
	return nil
}
