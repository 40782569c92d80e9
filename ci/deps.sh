#!/usr/bin/env bash
# Installs the Debian packages Parley builds, runs and tests with; only what is
# missing, so a second run costs a second.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config ccache git mold
  # libraries
  libcaf-dev libwebsocketpp-dev libboost-dev libboost-system-dev libboost-test-dev
  libssl-dev libcivetweb-dev civetweb prometheus-cpp-dev zlib1g-dev libopus-dev
  nlohmann-json3-dev libcurl4-openssl-dev libsodium-dev
  # speech engines and their data
  libpocketsphinx-dev libsphinxbase-dev pocketsphinx-en-us flite1-dev
  libespeak-ng-dev espeak-ng-data
  # checks and test tools
  clang clang-format clang-tidy libclang-rt-14-dev gcovr curl jq prometheus
  pocketsphinx-testdata opus-tools sox chromium python3-yaml
)
# The browser test drives Chromium from Node; a machine with its own Node keeps it.
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
if [ "${1:-}" = "--list" ]; then
  printf '%s\n' "${packages[@]}"
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "ci/deps.sh: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
