// Package didyoumean measures how far a mistyped name is from the names that exist, so that
// an error about an unknown key can suggest the one meant. It is pure and tiny on purpose: the
// domain packages (gate, ownership) use it, and they may import nothing of the adapters.
package didyoumean

// Distance is the Levenshtein distance between a and b, counted in runes: the fewest
// insertions, deletions and substitutions that turn one into the other.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
