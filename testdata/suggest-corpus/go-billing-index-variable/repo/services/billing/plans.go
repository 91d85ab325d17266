// Package billing picks subscription plans.
package billing

import (
	"fmt"
	"sort"
)

// Plan is a subscription plan.
type Plan struct {
	Code  string
	Seats int
	Price int64 // minor units per month
}

// Catalog lists plans by size.
type Catalog struct {
	plans []Plan
}

// NewCatalog sorts plans by seats.
func NewCatalog(plans []Plan) *Catalog {
	sorted := append([]Plan(nil), plans...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Seats < sorted[j].Seats })
	return &Catalog{plans: sorted}
}

// Upgrade is the plan after the one at tier.
func Upgrade(plans []Plan, tier int) (Plan, error) {
	next := tier + 1
	p := plans[next]
	if p.Price <= plans[tier].Price {
		return Plan{}, fmt.Errorf("plan %s is not an upgrade of %s", p.Code, plans[tier].Code)
	}
	return p, nil
}
