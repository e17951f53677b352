# lib.sh - helpers for the CLI tests. Sourced; expects FPSIM, SRC, DATA (set by CTest).
set -u
export LC_ALL=C
unset NO_COLOR
pass=0
fail=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

ok() { pass=$((pass + 1)); }
bad() {
    fail=$((fail + 1))
    echo "FAIL: $*" >&2
}

# run CMD... : runs the command, capturing stdout/stderr/status in $TMP/out, $TMP/err, $rc.
run() {
    "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
}

# expect_rc N DESC
expect_rc() {
    if [ "$rc" -eq "$1" ]; then ok; else bad "$2: exit $rc, expected $1; stderr: $(head -c 300 "$TMP/err")"; fi
}

# expect_err_line TEXT DESC: stderr is exactly one line equal to TEXT
expect_err_exact() {
    local got
    got=$(cat "$TMP/err")
    if [ "$got" = "$1" ]; then ok; else bad "$2: stderr '$got', expected '$1'"; fi
}

# expect_err_has TEXT DESC
expect_err_has() {
    if grep -qF -- "$1" "$TMP/err"; then ok; else bad "$2: stderr lacks '$1': $(head -c 300 "$TMP/err")"; fi
}

expect_out_has() {
    if grep -qF -- "$1" "$TMP/out"; then ok; else bad "$2: stdout lacks '$1'"; fi
}

expect_empty_out() {
    if [ ! -s "$TMP/out" ]; then ok; else bad "$1: stdout not empty"; fi
}

expect_empty_err() {
    if [ ! -s "$TMP/err" ]; then ok; else bad "$1: stderr not empty: $(head -c 300 "$TMP/err")"; fi
}

finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
