// Package wire reads length-prefixed frames from the payment terminal's socket.
package wire

import (
	"encoding/binary"
	"fmt"
	"io"
)

// maxFrame bounds a frame's payload.
const maxFrame = 64 << 10

// Reader reads frames, reusing one buffer.
type Reader struct {
	r   io.Reader
	buf []byte
}

// NewReader returns a Reader with a buffer of size bytes.
func NewReader(r io.Reader, size int) *Reader {
	return &Reader{r: r, buf: make([]byte, 0, size)}
}

// Next reads the next frame; its bytes are valid until the following call.
func (fr *Reader) Next() ([]byte, error) {
	var hdr [2]byte
	if _, err := io.ReadFull(fr.r, hdr[:]); err != nil {
		return nil, err
	}
	n := int(binary.BigEndian.Uint16(hdr[:]))
	if n > maxFrame {
		return nil, fmt.Errorf("frame of %d bytes exceeds %d", n, maxFrame)
	}
	buf := fr.buf[:n]
	if _, err := io.ReadFull(fr.r, buf); err != nil {
		return nil, fmt.Errorf("frame of %d bytes: %w", n, err)
	}
	return buf, nil
}
