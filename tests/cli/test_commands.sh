#!/usr/bin/env bash
# CLI tests of the command table (cli/main.c) and the common-options parser (cli/fp_cli_common.c):
# every command's --help, the top-level command list, did-you-mean for a mistyped command, and
# the usage errors (exact text, exit 64) for unknown options, missing values and common options a
# command does not take.
. "$(dirname "$0")/lib.sh"

commands="report simulate generate analyze compare validate scenarios"

# fpsim COMMAND --help / -h: the command's usage on stdout, exit 0, nothing on stderr
for c in $commands; do
    for h in --help -h; do
        run "$FPSIM" "$c" $h
        expect_rc 0 "$c $h"
        expect_empty_err "$c $h"
        # report is the default command: its usage reads "fpsim [--scenario ...]"
        if [ "$c" = report ]; then want="Usage: fpsim [--scenario"; else want="Usage: fpsim $c"; fi
        expect_out_has "$want" "$c $h"
    done
done
run "$FPSIM" scenarios --help
expect_out_has "Lists the built-in scenarios" "scenarios --help"
# --help wins over a later bad option, as in every command
run "$FPSIM" scenarios --help --bogus
expect_rc 0 "scenarios --help --bogus"

# the top-level --help lists every command, in the table's order
run "$FPSIM" --help
expect_rc 0 "--help"
listed=$(sed -n '/^Commands:/,/^$/p' "$TMP/out" | awk 'NF { print $1 }' | grep -v '^Commands:' | tr '\n' ' ')
if [ "$listed" = "$commands " ]; then ok; else bad "--help lists '$listed', expected '$commands '"; fi

# usage errors: exit 64, nothing on stdout, exactly the message and the hint on stderr
usage_case() {
    local want="$1"
    shift
    run "$FPSIM" "$@"
    expect_rc 64 "$*"
    expect_empty_out "$*"
    expect_err_exact "fpsim: $want
Try 'fpsim --help'." "$*"
}

# a mistyped command gets a did-you-mean ...
usage_case "unknown command 'reprot' (did you mean 'report'?)" reprot
usage_case "unknown command 'simulat' (did you mean 'simulate'?)" simulat --scenario optimal
usage_case "unknown command 'genrate' (did you mean 'generate'?)" genrate
usage_case "unknown command 'analyse' (did you mean 'analyze'?)" analyse x.json
usage_case "unknown command 'compair' (did you mean 'compare'?)" compair
usage_case "unknown command 'valdate' (did you mean 'validate'?)" valdate
usage_case "unknown command 'scenario' (did you mean 'scenarios'?)" scenario
# ... but a word far from every command, or a word after options, is still an argument of the
# default command (which takes none)
usage_case "unexpected argument 'foo'" foo
usage_case "unexpected argument 'optimal.yaml'" optimal.yaml
usage_case "unexpected argument 'reprot'" --scenario optimal reprot
usage_case "unknown option '--bogus'" --bogus reprot
# no command at all still runs the default command
run "$FPSIM" --scenario optimal --seed 3
expect_rc 0 "default command"
expect_out_has "optimal" "default command"

# unknown options, per command
usage_case "unknown option '--bogus'" --bogus
for c in $commands; do
    usage_case "unknown option '--bogus'" "$c" --bogus
    usage_case "unknown option '-Z'" "$c" -Z
done

# a value missing
usage_case "option '--runs' needs an argument" report --runs
usage_case "option '-n' needs an argument" simulate --scenario optimal -n
usage_case "option '--out' needs an argument" generate --scenario optimal --out
usage_case "option '--format' needs an argument" analyze --format
usage_case "option '--runs' needs an argument" compare --runs
usage_case "option '--jobs' needs an argument" validate --jobs

# a common option the command does not take is unknown to it
usage_case "unknown option '--detailed'" simulate --scenario optimal --detailed
usage_case "unknown option '--fail-on'" simulate --scenario optimal --fail-on high
usage_case "unknown option '--thresholds'" simulate --scenario optimal --thresholds t.yaml
usage_case "unknown option '-o'" generate --scenario optimal --out "$TMP/g" -o x
usage_case "unknown option '--fail-on'" generate --scenario optimal --out "$TMP/g" --fail-on high
usage_case "unknown option '--scenario'" scenarios --scenario optimal
usage_case "unexpected argument 'extra'" scenarios extra

# the common options' values are checked with the same words in every command
for c in report simulate generate; do
    usage_case "--runs must be an integer in [1, 100000000], got '0'" "$c" --scenario optimal --runs 0
    usage_case "--seed must be an integer in [0, 18446744073709551615], got '-1'" "$c" --scenario optimal --seed -1
    usage_case "--rng: unknown random generator 'nope' (try mt19937, ranlxd2, taus2, gfsr4; see the GSL manual for the full list)" "$c" --scenario optimal --rng nope
done
usage_case "--format must be text, json, markdown or csv, got 'xml'" report --format xml
usage_case "--format for simulate must be text or json, got 'csv'" simulate --scenario optimal --format csv
usage_case "--fail-on must be low, medium, high or critical, got 'nope'" report --fail-on nope
# the first bad option wins
usage_case "--format must be text, json, markdown or csv, got 'xml'" report --format xml --runs 0
usage_case "--runs must be an integer in [1, 100000000], got '0'" report --runs 0 --format xml
# required options are checked after all options
usage_case "simulate needs --scenario NAME|FILE|all" simulate --runs 2
usage_case "generate needs --out DIR" generate --scenario optimal
usage_case "--out needs a directory" generate --scenario optimal --out ''

finish
