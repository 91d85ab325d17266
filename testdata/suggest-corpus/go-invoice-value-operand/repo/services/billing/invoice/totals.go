// Package invoice renders invoices for orders.
package invoice

import (
	"fmt"
	"io"
)

// Line is one line of an invoice.
type Line struct {
	SKU      string
	Quantity int64
	Price    int64 // minor units
}

// Totals are an invoice's sums.
type Totals struct {
	Subtotal int64
	Tax      int64
	Shipping int64
}

// Invoice is a rendered invoice.
type Invoice struct {
	Number string
	Lines  []Line
	Totals Totals
}

// Sum adds the invoice's lines.
func Sum(lines []Line, taxRate float64) Totals {
	var t Totals
	for _, l := range lines {
		t.Subtotal += l.Quantity * l.Price
	}
	t.Tax = int64(float64(t.Subtotal) * taxRate)
	return t
}

// Render writes the invoice as text to out.
func Render(out io.Writer, inv Invoice) error {
	if _, err := fmt.Fprintf(out, "Invoice %s\n", inv.Number); err != nil {
		return err
	}
	for _, l := range inv.Lines {
		fmt.Fprintf(out, "%-12s %4d x %d\n", l.SKU, l.Quantity, l.Price)
	}
	fmt.Fprintf(out, "Total: %d\n", inv.Totals.Subtotal+inv.Totals.Tax+inv.Totals.Shipping)
	return nil
}
