# Sourced by the browser tests (run.sh, run_console.sh): makes sure Chromium,
# Node and the lockfile's playwright-core are there. Needs the caller's
# `fail` and `here` (this folder).
if [ ! -x /usr/bin/chromium ]; then
  echo "e2e: /usr/bin/chromium is missing: installing the Debian package 'chromium' with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends chromium >/dev/null ||
    { apt-get update >/dev/null && apt-get install -y --no-install-recommends chromium >/dev/null; } ||
    fail "could not install chromium"
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  fail "node and npm are needed (apt-get install nodejs npm)"
fi
# (Re)installed whenever node_modules is not what the lockfile pins.
wanted=$(node -p "require('$here/package-lock.json').packages['node_modules/playwright-core'].version")
have=$(node -p "try { require('$here/node_modules/playwright-core/package.json').version } catch (e) { '' }")
if [ "$have" != "$wanted" ]; then
  echo "e2e: installing playwright-core $wanted (npm ci)"
  (cd "$here" && npm ci --no-audit --no-fund) || fail "npm ci failed"
fi
