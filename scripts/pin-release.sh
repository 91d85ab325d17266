#!/usr/bin/env bash
# Pins the checksums of a release's archives into the action itself (action/checksums.txt), so
# that the installer trusts the action's own commit rather than a file served next to the
# binaries (whoever could replace a release asset could replace that file too).
#
#   bash scripts/pin-release.sh VERSION [os/arch ...]
#
# It builds the archives with scripts/build-release.sh (reproducible: -trimpath, no VCS stamp,
# GNU tar with fixed owners and times, gzip -n) and writes their SHA-256 with a header naming the
# version and the Go version used. Commit the file, then tag that commit: the release workflow
# rebuilds with the same Go version and refuses to publish unless its archives match the file.
# RELEASEGATE_PIN_FILE writes elsewhere (tests); targets default to all six.
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: bash scripts/pin-release.sh VERSION [os/arch ...]" >&2
  exit 2
fi
version=$1
shift
root=$(cd "$(dirname "$0")/.." && pwd)
pin=$(sed -n 's/^ *RELEASEGATE_VERSION: *//p' "$root/action.yml")
if [ "$pin" != "$version" ]; then
  echo "pin-release: action.yml pins $pin, not $version: set RELEASEGATE_VERSION to $version first (docs/releasing.md)" >&2
  exit 2
fi
out=${RELEASEGATE_PIN_FILE:-$root/action/checksums.txt}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bash "$root/scripts/build-release.sh" "$version" "$work" "$@"
gover=$(cd "$root" && go env GOVERSION)
{
  echo "# releasegate $version: SHA-256 of the release archives, built by scripts/build-release.sh with $gover"
  cat "$work/releasegate_${version#v}_checksums.txt"
} > "$out.tmp"
mv "$out.tmp" "$out"
echo "pinned $(grep -vc '^#' "$out") archives of $version in $out (built with $gover)" >&2
