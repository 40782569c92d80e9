#!/usr/bin/env bash
# parleyd on Discord against the fake Discord: installs the fake's pinned npm
# packages if needed, makes a throwaway certificate for 127.0.0.1 and runs
# e2e_discord.mjs. Usage: tests/discord/run_e2e.sh PARLEYD_BINARY
set -euo pipefail
parleyd=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
fake="$here/../fakes/discord"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$fake/npm_install.sh"
"$fake/make_cert.sh" "$work"
FAKE_DISCORD_KEY="$work/key.pem" FAKE_DISCORD_CERT="$work/cert.pem" \
  timeout 200 node "$here/e2e_discord.mjs" "$parleyd"
