#!/usr/bin/env bash
# move-major-tags.sh VERSION [REMOTE]: after release VERSION (vX.Y.Z) is published, point the
# moving tags vX and vX.Y at it and push them, as GitHub Actions are versioned, so that
# `uses: releasegate/releasegate@v0` (or @v0.2) gets the newest release of its series.
#
# A tag only moves forward: releasing v0.1.5 after v0.2.0 moves v0.1, not v0. A pre-release
# (v1.0.0-rc.1) moves nothing. Run from a clone that has every tag (fetch-depth: 0).
set -euo pipefail

version=${1:?usage: move-major-tags.sh vX.Y.Z [remote]}
remote=${2:-origin}

if [[ ! $version =~ ^v([0-9]+)\.([0-9]+)\.([0-9]+)$ ]]; then
  echo "::notice title=release::$version is not a plain vX.Y.Z release: the moving tags stay where they are"
  exit 0
fi
major="v${BASH_REMATCH[1]}"
minor="$major.${BASH_REMATCH[2]}"
commit=$(git rev-parse --verify "refs/tags/$version^{commit}")

for tag in "$major" "$minor"; do
  # The newest plain release of the series; the moving tag follows it, never goes back.
  newest=$(git tag --list "$tag.*" | grep -E '^v[0-9]+\.[0-9]+\.[0-9]+$' | sort -V | tail -n1)
  if [ "$newest" != "$version" ]; then
    echo "$tag stays: $newest is newer than $version"
    continue
  fi
  git tag --force "$tag" "$commit" >/dev/null
  git push --force "$remote" "refs/tags/$tag"
  echo "$tag -> $version ($commit)"
done
