#!/usr/bin/env bash
# Gets the releasegate binary for the action (action.yml's first step).
#
# The trust anchor is the action's own commit: action/checksums.txt, written by
# scripts/pin-release.sh on the release commit, holds the SHA-256 of every archive of the
# version action.yml pins. The installer downloads the archive for this runner's OS and
# architecture and checks it against that file, never against anything served next to the
# binary (whoever could replace a release asset could replace a checksums file beside it).
# When the action carries no checksums for the pinned version (a branch, a fork, main between
# releases), nothing is downloaded: the binary is built from the action's own checkout with the
# runner's Go. The same happens when the release does not exist (HTTP 404). A checksum that does
# not match, an archive the file does not list, or any other download failure is never worked
# around: the step fails and nothing runs.
#
# Environment:
#   RELEASEGATE_VERSION       the version to download, e.g. v0.1.0 (action.yml pins it)
#   RELEASEGATE_DOWNLOAD_URL  where releases are (default: GitHub's download URL of
#                             releasegate/releasegate); tests point it at a local server
#   RELEASEGATE_CHECKSUMS     the pinned checksums (default: action/checksums.txt in the
#                             action's checkout); tests point it at their own
#   RELEASEGATE_BUILD=always  build from source without downloading
#   RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, GITHUB_ACTION_PATH, GITHUB_PATH, GITHUB_OUTPUT
#                             as the runner sets them
#
# Output: the binary's path, as the step output "path" and as the last line on stdout.
set -euo pipefail

fail() {
  # An error annotation (escaped as workflow commands require) and a non-zero exit.
  local msg=$1
  msg=${msg//'%'/'%25'}
  msg=${msg//$'\n'/'%0A'}
  echo "::error title=releasegate install::$msg"
  exit 1
}

version=${RELEASEGATE_VERSION:-}
base=${RELEASEGATE_DOWNLOAD_URL:-https://github.com/releasegate/releasegate/releases/download}
action_path=${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/.." && pwd)}
temp=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
pinned=${RELEASEGATE_CHECKSUMS:-$action_path/action/checksums.txt}

case "${RUNNER_OS:-}" in
  Linux) goos=linux ;;
  macOS) goos=darwin ;;
  Windows) goos=windows ;;
  *) fail "unsupported RUNNER_OS '${RUNNER_OS:-}': releasegate runs on Linux, macOS and Windows runners" ;;
esac
case "${RUNNER_ARCH:-}" in
  X64) goarch=amd64 ;;
  ARM64) goarch=arm64 ;;
  *) fail "unsupported RUNNER_ARCH '${RUNNER_ARCH:-}': releasegate is built for X64 and ARM64 runners" ;;
esac
exe=releasegate
[ "$goos" = windows ] && exe=releasegate.exe
bindir="$temp/releasegate-bin"
mkdir -p "$bindir"
bin="$bindir/$exe"

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

# fetch URL FILE: prints the HTTP status (000 when the server could not be reached).
fetch() {
  curl -sSL --retry 3 --retry-delay 2 --connect-timeout 20 -o "$2" -w '%{http_code}' "$1" 2>"$2.err" || true
}

build_from_source() {
  echo "::group::releasegate: building $1 from source"
  if ! command -v go >/dev/null 2>&1; then
    echo "::endgroup::"
    # The calling workflow cannot name a file in the action's checkout (github.action_path is
    # only set inside the action), so say which version to ask setup-go for.
    local need
    need=$(sed -n 's/^go \([0-9.]*\).*/\1/p' "$action_path/go.mod" 2>/dev/null | head -n1)
    fail "releasegate $version has no release to download ($2), and Go is not installed to build it: add a step \`uses: actions/setup-go@v5\` with \`go-version: '${need:-stable}'\` before this one, or use a released version of the action (releasegate/releasegate@v0)"
  fi
  (cd "$action_path" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${version:-dev}-dev" -o "$bin" ./cmd/releasegate) ||
    { echo "::endgroup::"; fail "building releasegate from $action_path failed (see the log above)"; }
  echo "::endgroup::"
}

# pinned_version prints the version the pinned checksums are for ("" when there are none).
pinned_version() {
  [ -f "$pinned" ] || return 0
  sed -n '1s/^# releasegate \(v[^:]*\):.*/\1/p' "$pinned"
}

download() {
  local bare=${version#v}
  local asset="releasegate_${bare}_${goos}_${goarch}.tar.gz"
  local have
  have=$(pinned_version)
  if [ "$have" != "$version" ]; then
    echo "the action carries no checksums for $version (${have:+action/checksums.txt is for $have}${have:-no action/checksums.txt}): nothing downloaded could be verified, so it is built from the action's checkout"
    build_from_source "$version" "no pinned checksums for $version"
    return
  fi
  local want
  want=$(awk -v a="$asset" '!/^#/ && ($2 == a || $2 == "*" a) { print $1; exit }' "$pinned")
  if [ -z "$want" ]; then
    fail "the action's pinned checksums for $version (action/checksums.txt) list no $asset: refusing to run an unverified binary; report this at the releasegate repository"
  fi
  local dl
  dl=$(mktemp -d "$temp/releasegate-dl.XXXXXX")
  echo "::group::releasegate: downloading $version for $goos/$goarch"
  local code
  code=$(fetch "$base/$version/$asset" "$dl/$asset")
  case "$code" in
    200) ;;
    404)
      echo "no release $version at $base ($asset: 404)"
      echo "::endgroup::"
      rm -rf "$dl"
      build_from_source "$version" "$base/$version/$asset answered 404"
      return
      ;;
    *)
      echo "::endgroup::"
      fail "downloading $base/$version/$asset failed (HTTP $code: $(cat "$dl/$asset.err" 2>/dev/null)); re-run the job, or check that the runner can reach $base"
      ;;
  esac
  local got
  got=$(sha256 "$dl/$asset")
  if [ "$got" != "$want" ]; then
    echo "::endgroup::"
    fail "checksum mismatch for $asset: the action pins $want (action/checksums.txt), the download is $got; refusing to run it (a corrupted or replaced release asset). Re-run the job; if it persists, report it"
  fi
  echo "sha256 $got matches the action's pinned checksums (action/checksums.txt)"
  tar -xzf "$dl/$asset" -C "$dl"
  mv "$dl/$exe" "$bin"
  chmod +x "$bin"
  rm -rf "$dl"
  echo "::endgroup::"
}

if [ "${RELEASEGATE_BUILD:-}" = always ]; then
  build_from_source "${version:-dev}" "RELEASEGATE_BUILD=always"
elif [ -z "$version" ]; then
  fail "RELEASEGATE_VERSION is not set: action.yml pins the version to download"
else
  download
fi

"$bin" --version
if [ -n "${GITHUB_PATH:-}" ]; then echo "$bindir" >> "$GITHUB_PATH"; fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "path=$bin" >> "$GITHUB_OUTPUT"; fi
echo "$bin"
