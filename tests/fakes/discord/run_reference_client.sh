#!/usr/bin/env bash
# Checks the fake Discord voice server against @discordjs/voice: installs the
# pinned npm packages when node_modules is not what the lockfile says, runs
# the fake gateway's own DAVE checks (dave_gateway_test.mjs), makes a
# throwaway certificate for 127.0.0.1 (the client speaks only wss://), and
# runs reference_client_test.mjs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v node >/dev/null && command -v npm >/dev/null ||
  { echo "FAIL: node and npm are needed (apt-get install nodejs npm)" >&2; exit 1; }
"$here/npm_install.sh"
timeout 60 node "$here/dave_gateway_test.mjs"
"$here/make_cert.sh" "$work"
FAKE_DISCORD_KEY="$work/key.pem" FAKE_DISCORD_CERT="$work/cert.pem" \
  NODE_EXTRA_CA_CERTS="$work/cert.pem" timeout 120 node "$here/reference_client_test.mjs"
