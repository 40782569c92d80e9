#!/usr/bin/env bash
# Release notes from conventional commits (feat:, fix:, perf:, ...) between
# the previous tag and TAG, grouped by type; other commits under "Other".
#   usage: ci/changelog.sh TAG
set -euo pipefail
tag=${1:?usage: ci/changelog.sh TAG}
prev=$(git describe --tags --abbrev=0 "$tag^" 2>/dev/null || true)
range=${prev:+$prev..}$tag
echo "# $tag"
for type in feat:Features fix:Fixes perf:Performance docs:Documentation other:Other; do
  key=${type%%:*} title=${type#*:}
  if [ "$key" = other ]; then
    lines=$(git log --format='%s (%h)' "$range" | grep -Ev '^(feat|fix|perf|docs)(\(.+\))?!?: ' || true)
  else
    lines=$(git log --format='%s (%h)' "$range" | grep -E "^$key(\(.+\))?!?: " | sed -E "s/^$key(\(.+\))?!?: //" || true)
  fi
  [ -n "$lines" ] && { echo; echo "## $title"; echo; echo "$lines" | sed 's/^/- /'; }
done
exit 0
