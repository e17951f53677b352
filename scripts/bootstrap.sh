#!/usr/bin/env bash
# Installs what is missing (Debian packages), then configures and builds fpsim.
#   FP_BUILD_DIR  build directory (default: build)
#   FP_SANITIZE   ON for the AddressSanitizer + UndefinedBehaviorSanitizer build, thread for the
#                 ThreadSanitizer build (default OFF)
#   CI            when set (as in CI), warnings are errors
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake pkg-config libgsl-dev libyaml-dev libcjson-dev libcunit1-dev zlib1g-dev python3-jsonschema parallel help2man)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

build="${FP_BUILD_DIR:-build}"
werror=OFF
[ -n "${CI:-}" ] && werror=ON
cmake -S . -B "$build" -DFP_WERROR="$werror" -DFP_SANITIZE="${FP_SANITIZE:-OFF}" >/dev/null
cmake --build "$build" -j "$(nproc)" >&2
