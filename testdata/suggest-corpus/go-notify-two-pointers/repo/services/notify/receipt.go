// Package notify sends customers their receipts.
package notify

import (
	"context"
	"fmt"
)

// Customer is who paid.
type Customer struct {
	Name  string
	Email string
}

// Address is where an order ships.
type Address struct {
	Line1   string
	City    string
	Country string
}

// Order is a paid order.
type Order struct {
	ID       string
	Total    string
	Customer *Customer
	Shipping *Address
}

// Mailer sends mail.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// receiptBody is the text of an order's receipt.
func receiptBody(o *Order, c *Customer, a *Address) string {
	greeting := fmt.Sprintf("Hello %s,\n\nThank you for order %s.\n", c.Name, o.ID)
	return greeting + fmt.Sprintf("It ships to %s, %s %s.\nTotal: %s\n", a.Line1, a.City, a.Country, o.Total)
}

// SendReceipt mails the order's receipt to its customer.
func SendReceipt(ctx context.Context, m Mailer, o *Order) error {
	body := receiptBody(o, o.Customer, o.Shipping)
	if err := m.Send(ctx, o.Customer.Email, "Your receipt for "+o.ID, body); err != nil {
		return fmt.Errorf("receipt for order %s: %w", o.ID, err)
	}
	return nil
}
