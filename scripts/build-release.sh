#!/usr/bin/env bash
# Builds the release assets of releasegate: one tar.gz per OS and architecture, holding the
# binary (releasegate, or releasegate.exe on Windows) with README.md and LICENSE when present,
# the man pages (man/*.1) and the shell completions (completions/: bash, zsh, fish, PowerShell),
# and a checksums file in sha256sum's format. The release workflow publishes them; the action's
# installer (action/install.sh) downloads one and checks it against the checksums.
#
#   bash scripts/build-release.sh VERSION OUTDIR [os/arch ...]
#
# VERSION is the tag (v1.2.3); the assets are named without its leading v:
# releasegate_1.2.3_linux_amd64.tar.gz and releasegate_1.2.3_checksums.txt. Without targets, all
# six of linux, darwin and windows × amd64 and arm64 are built.
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: bash scripts/build-release.sh VERSION OUTDIR [os/arch ...]" >&2
  exit 2
fi
version=$1
out=$2
shift 2
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64)
fi
case "$version" in
  v[0-9]*) ;;
  *) echo "build-release: VERSION must be a tag like v1.2.3, not '$version'" >&2; exit 2 ;;
esac
bare=${version#v}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# GNU tar can make the archive reproducible; BSD tar (macOS) cannot, and that is fine locally.
tar_flags=()
if tar --version 2>/dev/null | grep -q 'GNU tar'; then
  tar_flags=(--sort=name --owner=0 --group=0 --numeric-owner --mtime=@0)
fi

# The man pages and completions are the same for every target: written once, by the host's
# build of the hidden `releasegate docs` command, and never committed.
docs="$work/docs"
(cd "$root" && go run -trimpath -buildvcs=false -ldflags "-X main.version=$version" ./cmd/releasegate docs man "$docs/man")
(cd "$root" && go run -trimpath -buildvcs=false ./cmd/releasegate docs completions "$docs/completions")

assets=()
for target in "${targets[@]}"; do
  goos=${target%/*}
  goarch=${target#*/}
  case "$goos/$goarch" in
    linux/amd64|linux/arm64|darwin/amd64|darwin/arm64|windows/amd64|windows/arm64) ;;
    *) echo "build-release: unsupported target '$target' (linux, darwin or windows; amd64 or arm64)" >&2; exit 2 ;;
  esac
  exe=releasegate
  [ "$goos" = windows ] && exe=releasegate.exe
  stage="$work/$goos-$goarch"
  mkdir -p "$stage"
  echo "building $goos/$goarch" >&2
  # -buildvcs=false: the binary must not depend on the commit, since the release commit
  # carries the checksums of its own binaries (action/checksums.txt, scripts/pin-release.sh).
  (cd "$root" && CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch go build -trimpath -buildvcs=false \
    -ldflags "-s -w -X main.version=$version" -o "$stage/$exe" ./cmd/releasegate)
  for f in README.md LICENSE; do
    if [ -f "$root/$f" ]; then cp "$root/$f" "$stage/"; fi
  done
  cp -R "$docs/man" "$docs/completions" "$stage/"
  asset="releasegate_${bare}_${goos}_${goarch}.tar.gz"
  (cd "$stage" && tar "${tar_flags[@]}" -cf - -- *) | gzip -n -9 > "$out/$asset"
  assets+=("$asset")
done

sum() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$@"; else shasum -a 256 "$@"; fi
}
(cd "$out" && sum "${assets[@]}") > "$out/releasegate_${bare}_checksums.txt"
echo "wrote ${#assets[@]} archives and releasegate_${bare}_checksums.txt to $out" >&2
