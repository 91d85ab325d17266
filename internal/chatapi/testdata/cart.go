package cart

// Item is one line of a cart.
type Item struct {
	Price    int
	Quantity int
}

// Cart is what a customer is about to buy.
type Cart struct {
	Items []*Item
}

// Total sums the cart's items.
func (c *Cart) Total() int {
	total := 0
	for _, it := range c.Items {
		total += it.Price * it.Quantity
	}
	return total
}
