// Package reconcile compares the ledger's daily totals with the bank's.
package reconcile

import (
	"fmt"
	"time"
)

// Day is one day's total in minor units.
type Day struct {
	Date  time.Time
	Total int64
}

// Mismatch is a day on which the totals differ.
type Mismatch struct {
	Date  time.Time
	Delta int64
}

// Compare lists the days whose totals differ; both series are ordered by date.
func Compare(ledger, bank []Day) ([]Mismatch, error) {
	var out []Mismatch
	for i := range ledger {
		delta := ledger[i].Total - bank[i].Total
		if delta != 0 {
			out = append(out, Mismatch{Date: ledger[i].Date, Delta: delta})
		}
	}
	if len(bank) > len(ledger) {
		return out, fmt.Errorf("bank has %d days the ledger lacks", len(bank)-len(ledger))
	}
	return out, nil
}
