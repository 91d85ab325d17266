package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// TakeBudget spends one unit of the named budget for day (a UTC date, 2026-12-06) when fewer
// than limit are spent; ok is false when the day's budget is gone. Every process of the
// service shares it, and concurrent takers never spend more than limit between them.
func (s *Store) TakeBudget(ctx context.Context, name, day string, limit int) (ok bool, err error) {
	if name == "" || day == "" {
		return false, errors.New("store: TakeBudget needs a budget name and a day")
	}
	if limit <= 0 {
		return false, nil
	}
	n, err := s.e.exec(ctx, `INSERT INTO releasegate_budget (name, day, used) VALUES (?, ?, 1)
		ON CONFLICT (name, day) DO UPDATE SET used = releasegate_budget.used + 1 WHERE releasegate_budget.used < ?`,
		name, day, limit)
	if err != nil {
		return false, fmt.Errorf("store: take from budget %s for %s: %w", name, day, err)
	}
	return n == 1, nil
}

// BudgetUsed is how much of the named budget day has spent.
func (s *Store) BudgetUsed(ctx context.Context, name, day string) (int, error) {
	var used int
	err := s.e.queryRow(ctx, `SELECT used FROM releasegate_budget WHERE name = ? AND day = ?`, name, day).Scan(&used)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: read budget %s for %s: %w", name, day, err)
	}
	return used, nil
}
