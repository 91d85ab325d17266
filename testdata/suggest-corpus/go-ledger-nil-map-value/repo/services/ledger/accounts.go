// Package ledger keeps customer account balances.
package ledger

import (
	"fmt"
	"sync"
)

// Account is one customer's balance.
type Account struct {
	ID      string
	Balance int64
	Frozen  bool
}

// Ledger holds accounts in memory, loaded at start.
type Ledger struct {
	mu       sync.Mutex
	accounts map[string]*Account
}

// NewLedger returns a ledger over accounts.
func NewLedger(accounts []*Account) *Ledger {
	l := &Ledger{accounts: make(map[string]*Account, len(accounts))}
	for _, a := range accounts {
		l.accounts[a.ID] = a
	}
	return l
}

// Debit takes amount from the account id.
func (l *Ledger) Debit(id string, amount int64) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	acct := l.accounts[id]
	if acct.Frozen {
		return 0, fmt.Errorf("debit %s: account is frozen", id)
	}
	if acct.Balance < amount {
		return 0, fmt.Errorf("debit %s: balance %d is less than %d", id, acct.Balance, amount)
	}
	acct.Balance -= amount
	return acct.Balance, nil
}

// Total is the sum of all balances.
func (l *Ledger) Total() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	var sum int64
	for _, a := range l.accounts {
		sum += a.Balance
	}
	return sum
}
