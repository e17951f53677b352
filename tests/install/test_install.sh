#!/usr/bin/env bash
# Installs the build tree into a temporary prefix (cmake --install) and builds a small program
# against it twice: with `pkg-config --cflags --libs fpsim` and with find_package(fpsim). Also
# checks what else is installed: the binary, the man page, bash and zsh completion, the LICENSE.
# Env: BUILD (the build directory), SRC (the source tree), CC, SAN_FLAGS (sanitizer flags of the
# build, for the consumer's compile and link).
set -u
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
    fail=$((fail + 1))
    echo "FAIL: $*" >&2
}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
P="$TMP/prefix"

if cmake --install "$BUILD" --prefix "$P" >"$TMP/log" 2>&1; then ok; else bad "cmake --install: $(tail -5 "$TMP/log")"; fi
for f in bin/fpsim include/fpsim/fp_report.h include/fpsim/fp_core.h include/fpsim/fp_version.h \
    share/bash-completion/completions/fpsim share/zsh/site-functions/_fpsim \
    share/doc/fpsim/LICENSE share/fpsim/scenarios/optimal.yaml; do
    [ -f "$P/$f" ] && ok || bad "not installed: $f"
done
ls "$P"/lib*/libfpsim_reports.a >/dev/null 2>&1 && ok || bad "libfpsim_reports.a not installed"
ls "$P"/lib*/pkgconfig/fpsim.pc >/dev/null 2>&1 && ok || bad "fpsim.pc not installed"
ls "$P"/lib*/cmake/fpsim/fpsimConfig.cmake >/dev/null 2>&1 && ok || bad "fpsimConfig.cmake not installed"
if ls "$P"/include/fpsim/*_internal.h >/dev/null 2>&1; then bad "internal headers installed"; else ok; fi
if command -v help2man >/dev/null; then
    [ -f "$P/share/man/man1/fpsim.1" ] && ok || bad "man page not installed"
    grep -q "^\.SH EXAMPLES" "$P/share/man/man1/fpsim.1" && grep -q "compare" "$P/share/man/man1/fpsim.1" && ok || bad "man page content"
fi

# 1. pkg-config
PCDIR=$(dirname "$(ls "$P"/lib*/pkgconfig/fpsim.pc | head -1)")
flags=$(PKG_CONFIG_PATH="$PCDIR" pkg-config --cflags --libs fpsim)
# shellcheck disable=SC2086
if "${CC:-cc}" ${SAN_FLAGS:-} -std=c11 -D_POSIX_C_SOURCE=200809L -o "$TMP/consumer-pc" \
    "$SRC/tests/install/consumer.c" $flags >"$TMP/log" 2>&1; then ok; else bad "pkg-config build: $(head -c 1500 "$TMP/log")"; fi
if "$TMP/consumer-pc" >"$TMP/out" 2>"$TMP/err" && grep -q '^fpsim [0-9.]*: 1 scenario$' "$TMP/out" &&
    grep -q '"name":	"demo"' "$TMP/out"; then ok; else bad "pkg-config consumer run: $(head -c 500 "$TMP/out" "$TMP/err")"; fi

# 2. find_package(fpsim)
if cmake -S "$SRC/tests/install" -B "$TMP/cb" -DCMAKE_PREFIX_PATH="$P" -DCMAKE_C_COMPILER="${CC:-cc}" \
    "-DCMAKE_C_FLAGS=${SAN_FLAGS:-}" "-DCMAKE_EXE_LINKER_FLAGS=${SAN_FLAGS:-}" >"$TMP/log" 2>&1 &&
    cmake --build "$TMP/cb" >>"$TMP/log" 2>&1; then ok; else bad "find_package build: $(tail -c 1500 "$TMP/log")"; fi
if "$TMP/cb/consumer" >"$TMP/out" 2>"$TMP/err" && grep -q '^fpsim [0-9.]*: 1 scenario$' "$TMP/out"; then ok; else bad "find_package consumer run: $(head -c 500 "$TMP/out" "$TMP/err")"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
