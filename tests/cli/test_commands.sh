#!/usr/bin/env bash
# CLI tests of the command table (cli/main.c) and the common-options parser (cli/fp_cli_common.c):
# every command's --help, the top-level command list, did-you-mean for a mistyped command, and
# the usage errors (exact text, exit 64) for unknown options, missing values and common options a
# command does not take.
. "$(dirname "$0")/lib.sh"

commands="report simulate generate analyze compare record validate baseline thresholds merge scenarios"

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
usage_case "--format must be text, json, markdown, csv, html or openmetrics, got 'xml'" report --format xml
usage_case "--format for simulate must be text or json, got 'csv'" simulate --scenario optimal --format csv
usage_case "--fail-on must be low, medium, high or critical, got 'nope'" report --fail-on nope
# the first bad option wins
usage_case "--format must be text, json, markdown, csv, html or openmetrics, got 'xml'" report --format xml --runs 0
usage_case "--runs must be an integer in [1, 100000000], got '0'" report --runs 0 --format xml
# ... in analyze, compare and validate too, with each command's --runs bound (compare's is 10^6)
usage_case "--runs must be an integer in [1, 1000000], got '1000001'" compare -s optimal -s optimal --runs 1000001
usage_case "--runs must be an integer in [1, 100000000], got '0'" validate --runs 0
for c in compare validate; do
    usage_case "--seed must be an integer in [0, 18446744073709551615], got '-1'" "$c" --seed -1
    usage_case "--rng: unknown random generator 'nope' (try mt19937, ranlxd2, taus2, gfsr4; see the GSL manual for the full list)" "$c" --rng nope
done
for c in analyze compare validate; do
    usage_case "--format must be text, json, markdown, csv, html or openmetrics, got 'xml'" "$c" --format xml a b
done
# the common options analyze, compare and validate do not take are unknown to them
for o in --scenario -s --runs -n --seed --rng; do
    usage_case "unknown option '$o'" analyze "$o" 1 x.json
done
for o in --detailed -d; do
    usage_case "unknown option '$o'" compare "$o" a b
    usage_case "unknown option '$o'" validate "$o"
done
usage_case "unknown option '--thresholds'" compare --thresholds x a b
for o in --thresholds --fail-on; do
    usage_case "unknown option '$o'" validate "$o" x
done
# (to compare, --fail-on is an abbreviation of its flag --fail-on-regression: x is then a third file)
usage_case "unexpected argument 'b'" compare --fail-on x a b
# compare's own --scenario (exactly two) is checked in command-line order with the common options
usage_case "compare takes exactly two --scenario options" compare -s optimal -s optimal -s optimal --runs 0
usage_case "--runs must be an integer in [1, 1000000], got '0'" compare --runs 0 -s optimal -s optimal -s optimal
# unambiguous abbreviations of long options, common or the command's own, are accepted;
# ambiguous ones are unknown
usage_case "--format must be text, json, markdown, csv, html or openmetrics, got 'xml'" analyze --fo xml x.json
usage_case "--fail-on must be low, medium, high or critical, got 'x'" analyze --fail x x.json
usage_case "option '--scen' needs an argument" compare --scen
usage_case "--alpha must be a number in (0, 1], got '0'" compare --al 0 a b
usage_case "--inject must be both, all, none or scenario, got 'some'" validate --in some
usage_case "--jobs must be an integer in [1, 256], got '0'" validate --jo 0
usage_case "unknown option '--s'" validate --s x
usage_case "unknown option '--f'" compare --f x a b

# required options are checked after all options
usage_case "simulate needs --scenario NAME|FILE|all" simulate --runs 2
usage_case "generate needs --out DIR" generate --scenario optimal
usage_case "--out needs a directory" generate --scenario optimal --out ''

finish
