#!/usr/bin/env bash
# Installs what is missing (Debian packages), then configures and builds fpsim.
#   FP_BUILD_DIR  build directory (default: build)
#   FP_SANITIZE   ON for the AddressSanitizer + UndefinedBehaviorSanitizer build, thread for the
#                 ThreadSanitizer build (default OFF)
#   CI            when set (as in CI), warnings are errors
#   FP_TEST_DEPS  0 to skip what only the tests use: libxml2-utils (xmllint, the strict parser of
#                 the HTML tests), chromium (the headless browser of cli.html_browser, which
#                 is skipped, exit 77, when Chromium cannot be installed), prometheus (its
#                 promtool lints the --format openmetrics outputs in cli.test_openmetrics_promtool,
#                 skipped, exit 77, without it), slurm-wlm and munge (cli.test_slurm runs its own
#                 one-node SLURM; skipped, exit 77, without them; the services Debian's packages
#                 may start are not used) and npm's speedscope (installed globally with npm;
#                 cli.speedscope is skipped without it); default 1
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

# Test-only packages: a failure here does not stop the build (the browser, promtool and SLURM
# tests then skip).
if [ "${FP_TEST_DEPS:-1}" != 0 ]; then
  test_missing=()
  for p in libxml2-utils chromium prometheus slurm-wlm munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || test_missing+=("$p")
  done
  if [ "${#test_missing[@]}" -gt 0 ]; then
    echo "bootstrap: installing for the tests: ${test_missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    { $sudo apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${test_missing[@]}" >&2; } ||
      echo "bootstrap: could not install ${test_missing[*]}; the HTML browser, promtool and SLURM tests will be skipped" >&2
  fi
  # speedscope's own importer for cli.speedscope: the npm package (its dist/ is the page); npm
  # from Debian when missing. A failure only skips that test.
  speedscope_version=1.25.0
  if ! command -v npm >/dev/null; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    { $sudo apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends npm >&2; } ||
      echo "bootstrap: could not install npm; cli.speedscope will be skipped" >&2
  fi
  if command -v npm >/dev/null &&
    ! grep -qs "\"version\": \"$speedscope_version\"" "$(npm root -g 2>/dev/null)/speedscope/package.json"; then
    echo "bootstrap: installing for the tests: speedscope@$speedscope_version (npm)" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo npm install -g --no-audit --no-fund --loglevel=error "speedscope@$speedscope_version" >&2 ||
      echo "bootstrap: could not install speedscope; cli.speedscope will be skipped" >&2
  fi
fi

build="${FP_BUILD_DIR:-build}"
werror=OFF
[ -n "${CI:-}" ] && werror=ON
cmake -S . -B "$build" -DFP_WERROR="$werror" -DFP_SANITIZE="${FP_SANITIZE:-OFF}" >/dev/null
cmake --build "$build" -j "$(nproc)" >&2
