#!/usr/bin/env bash
# (Re)installs the fake's npm packages whenever node_modules is not what the
# lockfile pins.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
wanted=$(node -p "require('$here/package-lock.json').packages['node_modules/ws'].version")
have=$(node -p "try { require('$here/node_modules/ws/package.json').version } catch (e) { '' }")
if [ "$have" != "$wanted" ]; then
  echo "fake deepgram: installing the pinned npm packages (npm ci)"
  (cd "$here" && npm ci --no-audit --no-fund) >&2
fi
