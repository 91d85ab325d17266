package sourcemaps

import (
	"crypto/sha1"
	"encoding/binary"
	"hash"
)

// Debug IDs are derived from content, never random, so that running inject twice on the same
// build output, or on two identical builds, yields the same IDs (sentry-cli relies on this and so
// do users who compare builds). The derivation must match sentry-cli 3.8.0 bit for bit: an ID
// written by one tool is looked up by the other. docs/debug-ids.md records how this was checked.

// DebugIDFromBytes returns the debug ID sentry-cli 3.8.0 gives content that has no source map:
// the first 16 bytes of SHA-1(b), with the UUID version nibble set to 5 and the RFC 4122 variant
// bits set, printed lowercase and hyphenated.
//
// sentry-cli uses it for a JavaScript file with no usable map (no sourceMappingURL comment and
// no guessable map, a reference to a file that does not exist, or a data URL spelled other than
// exactly "data:application/json;base64,"); b is then the JS file's original bytes, as read from
// disk. Up to 3.6.0 sentry-cli also used it for files with a map, hashing the map alone; 3.8.0
// uses DebugIDForPair instead.
func DebugIDFromBytes(b []byte) string {
	sum := sha1.Sum(b)
	return formatHashedDebugID(sum[:])
}

// Domain tags sentry-cli 3.8.0 writes before each part of a (JS, map) pair.
const (
	pairTagJS        = "js"
	pairTagSourceMap = "sourcemap"
)

// DebugIDForPair returns the debug ID sentry-cli 3.8.0 gives a JavaScript file that has a source
// map (and neither already carries a debug ID). It is the SHA-1 form of DebugIDFromBytes applied
// to an unambiguous encoding of both inputs:
//
//	"js" || u64le(len(js)) || js || "sourcemap" || u64le(len(sourceMap)) || sourceMap
//
// where u64le is the length as 8 little-endian bytes. Hashing the JS too keeps distinct chunks
// that share a byte-identical map (esbuild's empty helper maps) from sharing an ID; the tags and
// lengths keep the split point between the two inputs from being ambiguous.
//
// js is the JS file's original bytes as read from disk, before anything is injected (hashbang,
// BOM, CRLF and the sourceMappingURL comment included). sourceMap is, for an external map, the
// map file's original bytes as read from disk; for an embedded
// "data:application/json;base64," map, the base64-decoded payload, not the base64 text.
//
// A map that already has a debugId (or legacy debug_id) keeps it instead, and a JS file with a
// "//# debugId=" comment is left alone; callers check both before calling this.
func DebugIDForPair(js, sourceMap []byte) string {
	h := sha1.New()
	writeTagged(h, pairTagJS, js)
	writeTagged(h, pairTagSourceMap, sourceMap)
	return formatHashedDebugID(h.Sum(nil))
}

// writeTagged feeds tag, the 8-byte little-endian length of b, then b into h.
func writeTagged(h hash.Hash, tag string, b []byte) {
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(b)))
	h.Write([]byte(tag)) // hash.Hash.Write never fails
	h.Write(n[:])
	h.Write(b)
}

// formatHashedDebugID turns a SHA-1 digest into a debug ID the way the Rust uuid crate's
// Builder::from_sha1_bytes does (which sentry-cli uses): keep 16 bytes, overwrite the version
// nibble with 5 and the variant bits with 10. There is no namespace, so this is not an RFC 4122
// name-based UUID, only shaped like one.
func formatHashedDebugID(sum []byte) string {
	var u [16]byte
	copy(u[:], sum)
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return formatUUID(u)
}

const hexDigits = "0123456789abcdef"

// formatUUID prints u as 8-4-4-4-12 lowercase hex.
func formatUUID(u [16]byte) string {
	var out [36]byte
	j := 0
	for i, b := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out[j] = '-'
			j++
		}
		out[j] = hexDigits[b>>4]
		out[j+1] = hexDigits[b&0x0f]
		j += 2
	}
	return string(out[:])
}

// NormalizeDebugID accepts a debug ID as a hyphenated UUID (8-4-4-4-12) or as 32 hex digits,
// in any letter case, and returns the lowercase hyphenated form sentry-cli prints and Sentry
// stores; ok is false for anything else. Both spellings occur in the wild (sentry-cli and
// Sentry's parsers accept either in maps and "//# debugId=" comments), and comparing IDs needs
// one form.
//
// Deliberately stricter than sentry-cli's parser: no surrounding whitespace, braces or "urn:uuid:"
// prefix (sentry-cli rejects those too), and no "appendix" suffix such as "-1a" (sentry-cli
// accepts one; such IDs never come from JavaScript tooling, and the caller must decide what to do
// with them).
func NormalizeDebugID(s string) (string, bool) {
	var u [16]byte
	switch len(s) {
	case 32:
		for i := range u {
			hi, ok1 := hexValue(s[2*i])
			lo, ok2 := hexValue(s[2*i+1])
			if !ok1 || !ok2 {
				return "", false
			}
			u[i] = hi<<4 | lo
		}
	case 36:
		j := 0
		for i := range u {
			if i == 4 || i == 6 || i == 8 || i == 10 {
				if s[j] != '-' {
					return "", false
				}
				j++
			}
			hi, ok1 := hexValue(s[j])
			lo, ok2 := hexValue(s[j+1])
			if !ok1 || !ok2 {
				return "", false
			}
			u[i] = hi<<4 | lo
			j += 2
		}
	default:
		return "", false
	}
	return formatUUID(u), true
}

// hexValue decodes one hex digit of either case.
func hexValue(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
