/*
 * fp_cli_compare.c - `fpsim compare BASE NEW`: compares two inputs of the input reader
 * (fp_input_open(): the same files and directories `fpsim analyze` reads), or two scenarios
 * simulated in-process, per method and at run level, with the
 * Mann-Whitney U test, the Hodges-Lehmann shift and a noise threshold (analysis/fp_compare.h,
 * docs/compare.md). Writes text, JSON, Markdown or CSV, and optionally the differential folded
 * stacks for red/blue flame graphs.
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_version.h>

#include "fp_cli.h"
#include "fp_compare.h"
#include "fp_formats.h"
#include "fp_profile.h"
#include "fp_sim.h"

static const char *const s_help =
    "Usage: fpsim compare [options] BASE NEW\n"
    "       fpsim compare [options] --scenario A --scenario B [--runs N] [--seed S]\n"
    "\n"
    "Compares two sets of runs. BASE and NEW are whatever 'fpsim analyze' reads: profile JSON\n"
    "files (one profile or a runs document, as written by 'fpsim simulate --format json'),\n"
    "Chrome Trace Event JSON, 'fpsim generate' directories or their index.json, or directories\n"
    "whose *.json files (directly inside or one level down, e.g. DIR/<scenario>/run-<k>.json)\n"
    "are all read in name order ('-' is standard input); or two scenarios simulated here.\n"
    "Per method (matched by name): median\n"
    "calls per run, median per-call time, ratio, Mann-Whitney U p-value, Hodges-Lehmann shift\n"
    "with its 95 % interval, and a verdict; the same for run duration, peak memory and average\n"
    "CPU. A regression is slower, significant (p < alpha) and beyond the noise threshold.\n"
    "\n"
    "Options:\n"
    "  -s, --scenario NAME     built-in or scenario file; give exactly two (BASE, then NEW)\n"
    "  -n, --runs N            runs per scenario (default 30)\n"
    "      --seed N            batch seed of both scenarios (default: each scenario's seed:,\n"
    "                          else 42)\n"
    "      --rng NAME          GSL generator (default mt19937)\n"
    "      --alpha P           significance level, (0, 1] (default 0.002)\n"
    "      --noise F           noise threshold on the ratio of medians, [0, 10] (default 0.05)\n"
    "      --min-samples N     values needed per side for a per-method verdict (default 9)\n"
    "  -f, --format FMT        text, json, markdown (md) or csv (default text)\n"
    "  -o, --output FILE       write atomically to FILE (default standard output)\n"
    "      --folded-diff FILE  write 'stack before after' lines (mean self time per run, us)\n"
    "                          for difffolded.pl / flamegraph.pl red-blue flame graphs\n"
    "      --fail-on-regression  exit 1 when any regression is flagged\n"
    "  -h, --help              show this help\n"
    "\n"
    "Exit status: 0 ok, 1 regression with --fail-on-regression, 64 usage, 65 bad data,\n"
    "66 no input, 70 internal, 73 cannot create output, 74 write error, 130/143 interrupted.\n";

enum { FMT_TEXT, FMT_JSON, FMT_MD, FMT_CSV };

typedef struct cmp_opts {
    char *scenarios[2];
    size_t n_scenarios;
    char *paths[2];
    size_t n_paths;
    uint64_t runs;
    int has_runs;
    int has_seed;
    uint64_t seed;
    const gsl_rng_type *rng;
    fp_compare_options co;
    int format;
    const char *output;
    const char *folded;
    int fail_on_regression;
} cmp_opts;

/* What each side was, for the report header. */
typedef struct side_info {
    char desc[600];
    int simulated;
    uint64_t seed;
} side_info;

enum { OPT_SEED = 256, OPT_RNG, OPT_ALPHA, OPT_NOISE, OPT_MIN, OPT_FOLDED, OPT_FAIL };

static int parse(cmp_opts *o, int argc, char **argv)
{
    static const struct option longopts[] = {{"scenario", required_argument, NULL, 's'},
                                             {"runs", required_argument, NULL, 'n'},
                                             {"seed", required_argument, NULL, OPT_SEED},
                                             {"rng", required_argument, NULL, OPT_RNG},
                                             {"alpha", required_argument, NULL, OPT_ALPHA},
                                             {"noise", required_argument, NULL, OPT_NOISE},
                                             {"min-samples", required_argument, NULL, OPT_MIN},
                                             {"format", required_argument, NULL, 'f'},
                                             {"output", required_argument, NULL, 'o'},
                                             {"folded-diff", required_argument, NULL, OPT_FOLDED},
                                             {"fail-on-regression", no_argument, NULL, OPT_FAIL},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int c, rc;
    uint64_t u;
    double d;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":s:n:f:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            if (o->n_scenarios == 2)
                return fp_cli_usage("compare takes exactly two --scenario options");
            o->scenarios[o->n_scenarios++] = optarg;
            break;
        case 'n':
            if ((rc = fp_cli_opt_runs(optarg, 1000000, &o->runs)) != 0)
                return rc;
            o->has_runs = 1;
            break;
        case OPT_SEED:
            if ((rc = fp_cli_opt_seed(optarg, &o->seed, &o->has_seed)) != 0)
                return rc;
            break;
        case OPT_RNG:
            if ((rc = fp_cli_opt_rng(optarg, &o->rng)) != 0)
                return rc;
            break;
        case OPT_ALPHA:
            if (fp_cli_parse_double(optarg, &d) != 0 || !(d > 0.0 && d <= 1.0))
                return fp_cli_usage("--alpha must be a number in (0, 1], got '%s'", optarg);
            o->co.alpha = d;
            break;
        case OPT_NOISE:
            if (fp_cli_parse_double(optarg, &d) != 0 || !(d >= 0.0 && d <= 10.0))
                return fp_cli_usage("--noise must be a number in [0, 10], got '%s'", optarg);
            o->co.noise = d;
            break;
        case OPT_MIN:
            if (fp_cli_parse_u64(optarg, &u) != 0 || u == 0 || u > 1000000000)
                return fp_cli_usage("--min-samples must be an integer in [1, 1000000000], got "
                                    "'%s'",
                                    optarg);
            o->co.min_samples = (size_t)u;
            break;
        case 'f':
            if (strcmp(optarg, "text") == 0)
                o->format = FMT_TEXT;
            else if (strcmp(optarg, "json") == 0)
                o->format = FMT_JSON;
            else if (strcmp(optarg, "markdown") == 0 || strcmp(optarg, "md") == 0)
                o->format = FMT_MD;
            else if (strcmp(optarg, "csv") == 0)
                o->format = FMT_CSV;
            else
                return fp_cli_usage("--format must be text, json, markdown or csv, got '%s'",
                                    optarg);
            break;
        case 'o':
            o->output = optarg;
            break;
        case OPT_FOLDED:
            o->folded = optarg;
            break;
        case OPT_FAIL:
            o->fail_on_regression = 1;
            break;
        case 'h':
            fputs(s_help, stdout);
            return -1;
        case ':':
            return fp_cli_usage("option '%s' needs an argument", argv[optind - 1]);
        default:
            return fp_cli_usage("unknown option '%s'", argv[optind - 1]);
        }
    }
    for (; optind < argc; optind++) {
        if (o->n_paths == 2)
            return fp_cli_usage("unexpected argument '%s'", argv[optind]);
        o->paths[o->n_paths++] = argv[optind];
    }
    if (o->n_scenarios > 0 && o->n_paths > 0)
        return fp_cli_usage("cannot mix --scenario with BASE/NEW files");
    if (o->n_scenarios == 1)
        return fp_cli_usage("compare needs two --scenario options (BASE and NEW)");
    if (o->n_scenarios == 0 && o->n_paths != 2)
        return fp_cli_usage("compare needs BASE and NEW (files or directories) or two "
                            "--scenario options");
    if (o->n_paths > 0 && (o->has_runs || o->has_seed || o->rng != NULL))
        return fp_cli_usage("--runs, --seed and --rng apply only to --scenario");
    for (size_t i = 0; i < o->n_paths; i++) {
        if ((o->output && strcmp(o->output, o->paths[i]) == 0) ||
            (o->folded && strcmp(o->folded, o->paths[i]) == 0))
            return fp_cli_usage("refusing to overwrite input '%s'", o->paths[i]);
    }
    if (o->output && o->folded && strcmp(o->output, o->folded) == 0 && strcmp(o->output, "-"))
        return fp_cli_usage("--output and --folded-diff name the same file '%s'", o->output);
    return 0;
}

/* ---- reading inputs ---- */

/*
 * Adds every run of input `path` to side `side`: whatever `fpsim analyze` reads (fp_input_open():
 * profile, runs document, Chrome trace, generate directory or index, directory of JSON files).
 */
static int add_path(fp_compare *c, fp_side side, const char *path, fp_profile *prof,
                    side_info *info)
{
    fp_error err = FP_ERROR_INIT;
    fp_input *in = NULL;
    fp_input_run run;
    size_t added = 0;
    int rc = 0, got = 0;
    snprintf(info->desc, sizeof(info->desc), "%s", path);
    if (fp_input_open(&in, path, &err) != FP_OK)
        return fp_cli_report_input_error(&err);
    for (;;) {
        if (fp_cli_signal) {
            fp_cli_errorf("interrupted");
            rc = fp_cli_signal_exit();
            break;
        }
        if (fp_input_next(in, prof, &run, &got, &err) != FP_OK) {
            rc = fp_cli_report_input_error(&err);
            break;
        }
        if (!got)
            break;
        if (fp_compare_add_run(c, side, prof, &err) != FP_OK) {
            if (err.file[0] == '\0')
                snprintf(err.file, sizeof(err.file), "%s", run.file);
            rc = fp_cli_report_error(&err);
            break;
        }
        added++;
    }
    fp_input_close(in);
    if (rc == 0 && added == 0) {
        fp_cli_errorf("%s: no runs", path);
        rc = FP_EXIT_DATA;
    }
    return rc;
}

/* Simulates `runs` runs of `scn` into side `side`. */
static int add_scenario(fp_compare *c, fp_side side, const fp_scenario *scn, const cmp_opts *o,
                        fp_profile *prof, side_info *info)
{
    uint64_t seed = fp_cli_seed_for(o->has_seed, o->seed, scn);
    info->simulated = 1;
    info->seed = seed;
    snprintf(info->desc, sizeof(info->desc), "%s", fp_scenario_name(scn));
    fp_sim_options so = FP_SIM_OPTIONS_INIT;
    so.rng_type = o->rng;
    fp_error err = FP_ERROR_INIT;
    fp_sim *sim = NULL;
    int rc = 0;
    if (fp_sim_new(&sim, scn, &so, &err) != FP_OK)
        return fp_cli_report_error(&err);
    for (uint64_t r = 0; r < o->runs; r++) {
        if (fp_cli_signal) {
            fp_cli_errorf("interrupted");
            rc = fp_cli_signal_exit();
            break;
        }
        if (fp_sim_run(sim, seed, r, prof, &err) != FP_OK ||
            fp_compare_add_run(c, side, prof, &err) != FP_OK) {
            rc = fp_cli_report_error(&err);
            break;
        }
    }
    fp_sim_free(sim);
    return rc;
}

/* ---- writers ---- */

/* Verdict words for people. */
static const char *verdict(fp_change ch)
{
    switch (ch) {
    case FP_CHANGE_NONE:
        return "no change";
    case FP_CHANGE_REGRESSION:
        return "REGRESSION";
    case FP_CHANGE_IMPROVEMENT:
        return "improvement";
    case FP_CHANGE_INSUFFICIENT:
        return "insufficient data";
    case FP_CHANGE_ADDED:
        return "added";
    case FP_CHANGE_REMOVED:
        return "removed";
    }
    return "?";
}

static void json_delta(FILE *f, const fp_sample_delta *d)
{
    fprintf(f,
            "\"n_base\": %zu, \"n_new\": %zu, \"base_median\": %.17g, \"new_median\": %.17g, "
            "\"ratio\": ",
            d->n_base, d->n_new, d->base_median, d->new_median);
    if (d->ratio_defined)
        fprintf(f, "%.17g", d->ratio);
    else
        fputs("null", f);
    fprintf(f,
            ", \"ratio_defined\": %s, \"u\": %.17g, \"z\": %.17g, \"p_value\": %.17g, "
            "\"exact\": %s, \"hl_shift\": %.17g, \"hl_ci\": ",
            d->ratio_defined ? "true" : "false", d->mw.u, d->mw.z, d->mw.p,
            d->mw.exact ? "true" : "false", d->hl.shift);
    if (d->hl.ci_valid)
        fprintf(f, "[%.17g, %.17g]", d->hl.lo, d->hl.hi);
    else
        fputs("null", f);
}

static void write_json(FILE *f, const fp_compare *c, const cmp_opts *o, const side_info *si)
{
    const fp_compare_options *co = fp_compare_opts(c);
    size_t nm, nr, used;
    const fp_method_delta *md = fp_compare_methods(c, &nm);
    const fp_run_delta *rd = fp_compare_run_deltas(c, &nr);
    double g = fp_compare_geomean(c, &used);
    fprintf(f, "{\"fpsim_compare\": 1, \"fpsim_version\": ");
    fp_cli_json_str(f, fp_version());
    fprintf(f, ", \"gsl_version\": \"%s\",\n", GSL_VERSION);
    for (int s = 0; s < 2; s++) {
        fprintf(f, " \"%s\": {\"source\": ", s ? "new" : "base");
        fp_cli_json_str(f, si[s].desc);
        fprintf(f, ", \"runs\": %zu", fp_compare_run_count(c, (fp_side)s));
        if (si[s].simulated)
            fprintf(f, ", \"seed\": \"%llu\", \"rng\": \"%s\"", (unsigned long long)si[s].seed,
                    fp_cli_rng_name(o->rng));
        fputs("},\n", f);
    }
    fprintf(f,
            " \"options\": {\"alpha\": %.17g, \"noise\": %.17g, \"min_samples\": %zu, "
            "\"min_runs\": %zu, \"conf\": %.17g},\n",
            co->alpha, co->noise, co->min_samples, co->min_runs, co->conf);
    fputs(" \"run_level\": [", f);
    for (size_t i = 0; i < nr; i++) {
        fprintf(f, "%s\n  {\"metric\": \"%s\", \"unit\": \"%s\", \"change\": \"%s\", ",
                i ? "," : "", rd[i].name, rd[i].unit, fp_change_name(rd[i].d.change));
        json_delta(f, &rd[i].d);
        fputc('}', f);
    }
    fputs("\n ],\n \"methods\": [", f);
    for (size_t i = 0; i < nm; i++) {
        fprintf(f, "%s\n  {\"name\": ", i ? "," : "");
        fp_cli_json_str(f, md[i].name);
        fprintf(f, ", \"change\": \"%s\", \"calls_base\": %.17g, \"calls_new\": %.17g, ",
                fp_change_name(md[i].change), md[i].calls_base, md[i].calls_new);
        json_delta(f, &md[i].time);
        fputc('}', f);
    }
    fprintf(f,
            "\n ],\n \"summary\": {\"regressions\": %zu, \"improvements\": %zu, "
            "\"no_change\": %zu, \"insufficient_data\": %zu, \"added\": %zu, \"removed\": %zu, "
            "\"geomean_ratio\": %.17g, \"geomean_methods\": %zu}}\n",
            fp_compare_count(c, FP_CHANGE_REGRESSION), fp_compare_count(c, FP_CHANGE_IMPROVEMENT),
            fp_compare_count(c, FP_CHANGE_NONE), fp_compare_count(c, FP_CHANGE_INSUFFICIENT),
            fp_compare_count(c, FP_CHANGE_ADDED), fp_compare_count(c, FP_CHANGE_REMOVED), g, used);
}

static void csv_row(FILE *f, const char *kind, const char *name, const char *unit, fp_change ch,
                    double cb, double cn, const fp_sample_delta *d)
{
    fprintf(f, "%s,", kind);
    fp_cli_csv_str(f, name);
    fprintf(f, ",%s,%s,%zu,%zu,%.17g,%.17g,%.17g,%.17g,", unit, fp_change_name(ch), d->n_base,
            d->n_new, cb, cn, d->base_median, d->new_median);
    if (d->ratio_defined)
        fprintf(f, "%.17g", d->ratio);
    fprintf(f, ",%.17g,%.17g,%.17g,%.17g,", d->mw.p, d->mw.u, d->mw.z, d->hl.shift);
    if (d->hl.ci_valid)
        fprintf(f, "%.17g,%.17g\n", d->hl.lo, d->hl.hi);
    else
        fputs(",\n", f);
}

static void write_csv(FILE *f, const fp_compare *c)
{
    size_t nm, nr;
    const fp_method_delta *md = fp_compare_methods(c, &nm);
    const fp_run_delta *rd = fp_compare_run_deltas(c, &nr);
    fputs("kind,name,unit,change,n_base,n_new,calls_base,calls_new,base_median,new_median,ratio,"
          "p_value,u,z,hl_shift,hl_lo,hl_hi\n",
          f);
    for (size_t i = 0; i < nr; i++)
        csv_row(f, "run", rd[i].name, rd[i].unit, rd[i].d.change, 0, 0, &rd[i].d);
    for (size_t i = 0; i < nm; i++)
        csv_row(f, "method", md[i].name, "s", md[i].change, md[i].calls_base, md[i].calls_new,
                &md[i].time);
}

/* "1.234" or "n/a" into buf. */
static const char *fmt_ratio(char *buf, size_t n, const fp_sample_delta *d)
{
    if (d->ratio_defined)
        snprintf(buf, n, "%.3f", d->ratio);
    else
        snprintf(buf, n, "n/a");
    return buf;
}

static const char *fmt_ci(char *buf, size_t n, const fp_sample_delta *d)
{
    if (d->n_base == 0 || d->n_new == 0)
        snprintf(buf, n, "-");
    else if (d->hl.ci_valid)
        snprintf(buf, n, "%+.4g [%+.4g, %+.4g]", d->hl.shift, d->hl.lo, d->hl.hi);
    else
        snprintf(buf, n, "%+.4g [n/a]", d->hl.shift);
    return buf;
}

static void write_summary_line(FILE *f, const fp_compare *c, const char *pre)
{
    size_t used;
    double g = fp_compare_geomean(c, &used);
    fprintf(f,
            "%s%zu regression(s), %zu improvement(s), %zu no change, %zu insufficient data, "
            "%zu added, %zu removed; geometric mean of per-method ratios %.4f over %zu "
            "method(s)\n",
            pre, fp_compare_count(c, FP_CHANGE_REGRESSION),
            fp_compare_count(c, FP_CHANGE_IMPROVEMENT), fp_compare_count(c, FP_CHANGE_NONE),
            fp_compare_count(c, FP_CHANGE_INSUFFICIENT), fp_compare_count(c, FP_CHANGE_ADDED),
            fp_compare_count(c, FP_CHANGE_REMOVED), g, used);
}

static void write_text(FILE *f, const fp_compare *c, const side_info *si, int md)
{
    const fp_compare_options *co = fp_compare_opts(c);
    size_t nm, nr;
    const fp_method_delta *mdl = fp_compare_methods(c, &nm);
    const fp_run_delta *rd = fp_compare_run_deltas(c, &nr);
    char rb[32], cb[96];
    if (md) {
        fputs("# fpsim compare\n\n", f);
        for (int s = 0; s < 2; s++) {
            fprintf(f, "- %s: ", s ? "NEW" : "BASE");
            fp_cli_md_str(f, si[s].desc);
            fprintf(f, " (%zu runs", fp_compare_run_count(c, (fp_side)s));
            if (si[s].simulated)
                fprintf(f, ", seed %llu", (unsigned long long)si[s].seed);
            fputs(")\n", f);
        }
        fprintf(f,
                "- alpha %g, noise %g %%, min samples %zu; fpsim %s, GSL %s\n\n"
                "## Run level (median per run)\n\n"
                "| metric | base | new | ratio | p-value | verdict |\n"
                "|---|---:|---:|---:|---:|---|\n",
                co->alpha, co->noise * 100, co->min_samples, fp_version(), GSL_VERSION);
        for (size_t i = 0; i < nr; i++)
            fprintf(f, "| %s (%s) | %.4g | %.4g | %s | %.3g | %s |\n", rd[i].name, rd[i].unit,
                    rd[i].d.base_median, rd[i].d.new_median, fmt_ratio(rb, sizeof(rb), &rd[i].d),
                    rd[i].d.mw.p, verdict(rd[i].d.change));
        fputs("\n## Methods (per-call inclusive time, pooled over runs)\n\n"
              "| method | calls base | calls new | median base (s) | median new (s) | ratio | "
              "p-value | HL shift [95 % CI] (s) | verdict |\n"
              "|---|---:|---:|---:|---:|---:|---:|---|---|\n",
              f);
        for (size_t i = 0; i < nm; i++) {
            fputs("| ", f);
            fp_cli_md_str(f, mdl[i].name);
            fprintf(f, " | %g | %g | %.4g | %.4g | %s | %.3g | %s | %s |\n", mdl[i].calls_base,
                    mdl[i].calls_new, mdl[i].time.base_median, mdl[i].time.new_median,
                    fmt_ratio(rb, sizeof(rb), &mdl[i].time), mdl[i].time.mw.p,
                    fmt_ci(cb, sizeof(cb), &mdl[i].time), verdict(mdl[i].change));
        }
        fputc('\n', f);
        write_summary_line(f, c, "**Summary:** ");
        return;
    }
    fprintf(f, "fpsim compare (fpsim %s, GSL %s)\n", fp_version(), GSL_VERSION);
    for (int s = 0; s < 2; s++) {
        fprintf(f, "  %-4s %s (%zu runs", s ? "NEW" : "BASE", si[s].desc,
                fp_compare_run_count(c, (fp_side)s));
        if (si[s].simulated)
            fprintf(f, ", seed %llu", (unsigned long long)si[s].seed);
        fputs(")\n", f);
    }
    fprintf(f, "  regression: ratio > %g, p < %g, >= %zu values per side\n\n", 1 + co->noise,
            co->alpha, co->min_samples);
    fprintf(f, "Run level (median per run)\n  %-14s %12s %12s %8s %9s  %s\n", "metric", "base",
            "new", "ratio", "p-value", "verdict");
    for (size_t i = 0; i < nr; i++)
        fprintf(f, "  %-14s %12.4g %12.4g %8s %9.3g  %s\n", rd[i].name, rd[i].d.base_median,
                rd[i].d.new_median, fmt_ratio(rb, sizeof(rb), &rd[i].d), rd[i].d.mw.p,
                verdict(rd[i].d.change));
    fprintf(f,
            "\nMethods (per-call inclusive time in seconds, pooled over runs)\n"
            "  %-26s %7s %7s %10s %10s %7s %9s  %-34s %s\n",
            "method", "calls_b", "calls_n", "median_b", "median_n", "ratio", "p-value",
            "HL shift [95% CI]", "verdict");
    for (size_t i = 0; i < nm; i++)
        fprintf(f, "  %-26s %7g %7g %10.4g %10.4g %7s %9.3g  %-34s %s\n", mdl[i].name,
                mdl[i].calls_base, mdl[i].calls_new, mdl[i].time.base_median,
                mdl[i].time.new_median, fmt_ratio(rb, sizeof(rb), &mdl[i].time), mdl[i].time.mw.p,
                fmt_ci(cb, sizeof(cb), &mdl[i].time), verdict(mdl[i].change));
    fputc('\n', f);
    write_summary_line(f, c, "Summary: ");
}

int fp_cmd_compare(int argc, char **argv)
{
    cmp_opts o;
    memset(&o, 0, sizeof(o));
    o.co = (fp_compare_options)FP_COMPARE_OPTIONS_INIT;
    o.runs = 30;
    o.format = FMT_TEXT;
    fp_cli_scenarios scns = {NULL, 0};
    fp_cli_out out, fold;
    memset(&out, 0, sizeof(out));
    memset(&fold, 0, sizeof(fold));
    fp_profile *prof = NULL;
    fp_compare *c = NULL;
    side_info si[2];
    memset(si, 0, sizeof(si));
    fp_error err = FP_ERROR_INIT;
    int rc = parse(&o, argc, argv);
    if (rc != 0) {
        rc = rc < 0 ? 0 : rc;
        goto done;
    }
    if (o.n_scenarios == 2 && (rc = fp_cli_load_scenarios(&scns, o.scenarios, 2)) != 0)
        goto done;
    if ((prof = fp_profile_new()) == NULL) {
        fp_cli_errorf("out of memory");
        rc = FP_EXIT_SOFTWARE;
        goto done;
    }
    if (fp_compare_new(&c, &o.co, &err) != FP_OK) {
        rc = fp_cli_report_error(&err);
        goto done;
    }
    for (int s = 0; s < 2 && rc == 0; s++) {
        if (o.n_scenarios == 2)
            rc = add_scenario(c, (fp_side)s, scns.items[s], &o, prof, &si[s]);
        else
            rc = add_path(c, (fp_side)s, o.paths[s], prof, &si[s]);
    }
    if (rc != 0)
        goto done;
    if (fp_compare_finish(c, &err) != FP_OK) {
        rc = fp_cli_report_error(&err);
        goto done;
    }
    if (o.folded != NULL) {
        if ((rc = fp_cli_out_open(&fold, o.folded)) != 0)
            goto done;
        if (fp_compare_write_folded(c, fold.f, &err) != FP_OK) {
            snprintf(err.file, sizeof(err.file), "%s", o.folded);
            rc = fp_cli_report_error(&err);
            goto done;
        }
    }
    if ((rc = fp_cli_out_open(&out, o.output)) != 0)
        goto done;
    switch (o.format) {
    case FMT_JSON:
        write_json(out.f, c, &o, si);
        break;
    case FMT_CSV:
        write_csv(out.f, c);
        break;
    default:
        write_text(out.f, c, si, o.format == FMT_MD);
        break;
    }
    if (fp_cli_signal) {
        fp_cli_errorf("interrupted");
        rc = fp_cli_signal_exit();
        goto done;
    }
    if (o.folded != NULL && (rc = fp_cli_out_commit(&fold)) != 0)
        goto done;
    if ((rc = fp_cli_out_commit(&out)) != 0)
        goto done;
    if (o.fail_on_regression && fp_compare_count(c, FP_CHANGE_REGRESSION) > 0)
        rc = FP_EXIT_FINDINGS;
done:
    if (rc != 0 && rc != FP_EXIT_FINDINGS) {
        fp_cli_out_abort(&out);
        fp_cli_out_abort(&fold);
    }
    fp_compare_free(c);
    fp_profile_free(prof);
    fp_cli_free_scenarios(&scns);
    return rc;
}
