// Package editor keeps the back office's undo history for price edits.
package editor

import "fmt"

// Edit is one change to a price.
type Edit struct {
	SKU      string
	Old, New int64
}

// History is a stack of edits.
type History struct {
	edits []Edit
	limit int
}

// Push records an edit, dropping the oldest beyond the limit.
func (h *History) Push(e Edit) {
	h.edits = append(h.edits, e)
	if len(h.edits) > h.limit {
		h.edits = h.edits[1:]
	}
}

// Undo removes the newest edit and returns it.
func (h *History) Undo() (Edit, error) {
	last := h.edits[len(h.edits)-1]
	h.edits = h.edits[:len(h.edits)-1]
	return last, nil
}

// String lists the edits, newest first.
func (h *History) String() string {
	s := ""
	for i := len(h.edits) - 1; i >= 0; i-- {
		s += fmt.Sprintf("%s: %d -> %d\n", h.edits[i].SKU, h.edits[i].Old, h.edits[i].New)
	}
	return s
}
