#!/usr/bin/env bash
# (Re)installs the fake's npm packages whenever node_modules is not what the
# lockfile pins.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
for pkg in @discordjs/voice @noble/ciphers @snazzah/davey opusscript ws; do
  wanted=$(node -p "require('$here/package-lock.json').packages['node_modules/$pkg'].version")
  have=$(node -p "try { require('$here/node_modules/$pkg/package.json').version } catch (e) { '' }")
  if [ "$have" != "$wanted" ]; then
    echo "fake discord: installing the pinned npm packages (npm ci)"
    (cd "$here" && npm ci --no-audit --no-fund) >&2
    exit 0
  fi
done
# davey's native build is an optional dependency per platform: check it loads.
if ! (cd "$here" && node -e "require('@snazzah/davey')") 2>/dev/null; then
  echo "fake discord: @snazzah/davey does not load; reinstalling (npm ci)"
  (cd "$here" && npm ci --no-audit --no-fund) >&2
fi
