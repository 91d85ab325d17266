// Package sourcemaps reads, checks, rewrites and queries JavaScript source maps as Sentry and
// the browsers use them.
//
// It is a pure domain package: it reads and writes local files given to it, but does no network
// I/O, reads no environment and does not log. The pieces, in the order a build flows through them:
//
//   - Parse decodes a map strictly (ECMA-426): every field's type, strict VLQ, index bounds,
//     index-map sections. Problems carry stable codes and positions.
//   - Discover walks build output and pairs each generated file with its map the way
//     sentry-cli 3.x does, minus its fuzzy sibling-folder matching.
//   - Validate checks each pair against the spec and against what Sentry needs.
//   - Inject adds debug IDs byte-for-byte as sentry-cli 3.x does, atomically.
//   - Map.OriginalPositionFor resolves generated positions to original ones.
//
// Relative paths are taken against a folder the caller gives (DiscoverOptions.Dir,
// LoadMapOptions.Dir; "" is the process's working directory), so a caller without a working
// directory of its own needs none. Findings, reports and errors name files as they were given.
//
// Positions are 0-based inside the package (as in the spec); the commands convert to the
// 1-based lines and columns that stack traces and Sentry frames show.
package sourcemaps
