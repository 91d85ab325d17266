package sourcemaps

// base64Value maps a byte to its base64 digit value, or 0xff when the byte is not a digit of
// the standard alphabet. Padding ('=') is not a digit: the spec's VLQ has no padding.
var base64Value = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = byte(i)
	}
	return t
}()

const base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// maxVLQ is the largest magnitude a mapping field may hold: the spec limits every field to a
// signed 32-bit integer.
const maxVLQ = 1<<31 - 1

// vlqError says why a VLQ could not be decoded; the decoder turns it into a Problem.
type vlqError int

const (
	vlqOK vlqError = iota
	vlqBadDigit
	vlqUnterminated
	vlqOverflow
)

// decodeVLQ decodes one base64 VLQ starting at s[i]. It returns the value and the index after
// it. Digits whose payload is zero may continue indefinitely (the spec allows redundant
// continuation digits); only significant bits beyond 32 overflow.
func decodeVLQ[T ~string | ~[]byte](s T, i int) (value int64, next int, err vlqError) {
	var acc uint64
	shift := uint(0)
	for {
		if i >= len(s) {
			return 0, i, vlqUnterminated
		}
		d := base64Value[s[i]]
		if d == 0xff {
			return 0, i, vlqBadDigit
		}
		i++
		payload := uint64(d & 31)
		if payload != 0 {
			if shift > 32 {
				return 0, i, vlqOverflow
			}
			acc |= payload << shift
			if acc > 1<<32 {
				return 0, i, vlqOverflow
			}
		}
		if d&32 == 0 {
			break
		}
		shift += 5
	}
	neg := acc&1 == 1
	mag := int64(acc >> 1)
	if neg {
		if mag > maxVLQ+1 {
			return 0, i, vlqOverflow
		}
		return -mag, i, vlqOK
	}
	if mag > maxVLQ {
		return 0, i, vlqOverflow
	}
	return mag, i, vlqOK
}

// appendVLQ appends the base64 VLQ encoding of v.
func appendVLQ(b []byte, v int64) []byte {
	var u uint64
	if v < 0 {
		u = uint64(-v)<<1 | 1
	} else {
		u = uint64(v) << 1
	}
	for {
		d := u & 31
		u >>= 5
		if u != 0 {
			d |= 32
		}
		b = append(b, base64Alphabet[d])
		if u == 0 {
			return b
		}
	}
}
