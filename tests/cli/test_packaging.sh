#!/usr/bin/env bash
# CLI tests of discoverability (issue 11, §3): scenarios with descriptions and --show, bash
# completion, --version's runtime and build versions, the LICENSE. (Install: install.consumer.)
. "$(dirname "$0")/lib.sh"

# scenarios: one line per built-in with its description
run "$FPSIM" scenarios
expect_rc 0 "scenarios"
expect_out_has "optimal           A healthy run of the 12-method AI writing flow; bottlenecks are rare." "scenarios description"
[ "$(wc -l <"$TMP/out")" -eq 4 ] && ok || bad "scenarios: $(cat "$TMP/out")"
# --show prints the built-in's YAML byte for byte, and it loads as a scenario file
for n in optimal bottlenecked memory-intensive cpu-intensive; do
    run "$FPSIM" scenarios --show "$n"
    expect_rc 0 "scenarios --show $n"
    cmp -s "$TMP/out" "$SRC/scenarios/$n.yaml" && ok || bad "scenarios --show $n differs from scenarios/$n.yaml"
done
"$FPSIM" scenarios --show memory_intensive >"$TMP/mine.yaml"
run "$FPSIM" --scenario "$TMP/mine.yaml" --seed 42
expect_rc 0 "the shown YAML runs as a scenario file"
expect_out_has "Scenario: memory-intensive" "the shown YAML runs"
run "$FPSIM" scenarios --show optimel
expect_rc 64 "scenarios --show unknown"
expect_err_has "fpsim: --show: unknown built-in scenario 'optimel' (did you mean 'optimal'?)" "scenarios --show did-you-mean"
expect_empty_out "scenarios --show unknown"
run "$FPSIM" scenarios --show optimal --names
expect_rc 64 "--show with --names"

# bash completion: commands, options from the help, scenario names
if command -v bash >/dev/null; then
    cat >"$TMP/comp.sh" <<CEOF
. "$SRC/completions/fpsim.bash"
comp() { COMP_WORDS=("\$@"); COMP_CWORD=\$((\${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _fpsim; echo "\${COMPREPLY[*]}"; }
comp "$FPSIM" comp
comp "$FPSIM" compare --fail-on-r
comp "$FPSIM" --scenario mem
comp "$FPSIM" report --format j
comp "$FPSIM" scenarios --sh
CEOF
    bash "$TMP/comp.sh" >"$TMP/comp.out" 2>&1
    [ "$(sed -n 1p "$TMP/comp.out")" = "compare" ] && ok || bad "completion of 'comp': $(cat "$TMP/comp.out")"
    [ "$(sed -n 2p "$TMP/comp.out")" = "--fail-on-regression" ] && ok || bad "completion of compare --fail-on-r"
    [ "$(sed -n 3p "$TMP/comp.out")" = "memory-intensive" ] && ok || bad "completion of --scenario mem"
    [ "$(sed -n 4p "$TMP/comp.out")" = "json" ] && ok || bad "completion of --format j"
    [ "$(sed -n 5p "$TMP/comp.out")" = "--show" ] && ok || bad "completion of scenarios --sh"
fi
if command -v zsh >/dev/null; then
    zsh -n "$SRC/completions/_fpsim" && ok || bad "zsh completion does not parse"
fi

# --version: the versions fpsim runs with; the build's too when a library differs at run time
run "$FPSIM" --version
expect_rc 0 "--version"
gsl=$(pkg-config --modversion gsl 2>/dev/null || true)
[ -z "$gsl" ] || expect_out_has "GSL $gsl," "--version: the GSL fpsim runs with"
[ "$(wc -l <"$TMP/out")" -eq 1 ] && ok || bad "--version: a second line although nothing differs: $(cat "$TMP/out")"
if command -v cc >/dev/null && ! ldd "$FPSIM" 2>/dev/null | grep -q 'libasan\|libtsan'; then
    printf 'const char *cJSON_Version(void) { return "9.9.9"; }\n' >"$TMP/shim.c"
    if cc -shared -fPIC -o "$TMP/shim.so" "$TMP/shim.c" 2>/dev/null; then
        LD_PRELOAD="$TMP/shim.so" run "$FPSIM" --version
        expect_out_has "cJSON 9.9.9)" "--version: the cJSON it runs with"
        grep -qE '^built with GSL [0-9.]+, libyaml [0-9.]+, cJSON [0-9]+\.[0-9]+\.[0-9]+$' "$TMP/out" && ok || bad "--version: no build line when cJSON differs: $(cat "$TMP/out")"
    fi
fi

# LICENSE, named in the README
grep -q "^MIT License" "$SRC/LICENSE" && ok || bad "LICENSE"
grep -q "MIT" "$SRC/README.md" && ok || bad "README does not state the license"

finish
