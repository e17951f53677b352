/*
 * fp_fuzz.c - fuzz targets for everything fpsim reads from untrusted bytes:
 *   scenario  the YAML loader, then 2 simulated runs analysed and rendered in every format, and
 *             one validation run (engine, matcher, time to detect) written in every format;
 *   json      the profile JSON reader, then the analysis, the Chrome trace writer and a
 *             comparison of the profile with itself written in every format;
 *   trace     the Chrome Trace Event reader, then the same as json;
 *   input     the one input reader (fp_input_sniff, fp_input_open_mem, fp_input_next) on the
 *             bytes as whatever they sniff as (profile, runs document, Chrome trace, V8
 *             .cpuprofile, speedscope, folded stacks, each possibly gzip; index: its files are
 *             named under a directory that does not exist, so none is ever read), every run read
 *             and the first few analysed and rendered;
 *   thresholds  the --thresholds reader, fp_thresholds_load_yaml() (analysis/, over the strict
 *             YAML layer fp_yaml.c), and every override it returns set through fp_thresholds_set.
 *   sampled   the V8 .cpuprofile, speedscope and folded-stacks readers on the bytes (inflated
 *             first when they are gzip), each followed by the same as json.
 * (A libFuzzer campaign renders less per input and caps simulated runs' length: g_render.)
 * Built two ways (fuzz/CMakeLists.txt): with clang's libFuzzer (-DFP_FUZZ=ON; FP_FUZZ_TARGET
 * selects the target) for fuzzing campaigns, and always as `fp_fuzz_replay TARGET FILE...`, which
 * runs the same code on stored inputs, so crashes found once (and the bad-input corpora) are
 * replayed as ordinary tests, under the sanitizers in the sanitizer build.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "fp_analysis.h"
#include "fp_core.h"
#include "fp_formats.h"
#include "fp_profile.h"
#include "fp_report.h"
#include "fp_scenario.h"
#include "fp_sim.h"
#include "fp_validate.h"

enum { T_SCENARIO, T_JSON, T_TRACE, T_INPUT, T_THRESHOLDS, T_SAMPLED };

/* Runs of one input analysed and rendered (every run is still read). */
#define FUZZ_INPUT_ANALYSED 4

/*
 * How much of the rendering one input gets. The replay driver renders every report format and
 * compares every profile with itself, so each stored input is checked everywhere. A libFuzzer
 * campaign renders one format per input, and compares and writes the Chrome trace and folded
 * stacks for one input in four, all picked by the input's hash (fp_hash_bytes: the same input
 * always takes the same path, so a crash reproduces): every format is still reached across the
 * campaign, at about a quarter of the cost per input, since rendering every format (and, for long
 * simulated runs, writing every series sample into the Chrome trace) was most of it. Harness state,
 * not library state.
 */
static struct {
    int fmt_lo, fmt_hi; /* report formats rendered, inclusive */
    int compare;        /* compare_and_render() runs */
    int writers;        /* the Chrome trace and folded-stacks writers run */
    size_t max_samples; /* fp_sim_options.max_samples of the scenario target's runs */
} g_render = {FP_REPORT_TEXT, FP_REPORT_OPENMETRICS, 1, 1, 0};

/*
 * A campaign's cap on a simulated run's series (the replay driver keeps the simulator's own
 * FP_SIM_MAX_SAMPLES). Mutated heavy tails (a lognormal sigma of 5) make runs of 10^7 samples
 * that take 10-110 s each under ASan, most of a scenario campaign's time by 2026-12; above
 * this cap a run is refused with FP_ELIMIT (the same path as above the simulator's own limit)
 * and its validation run is skipped. (An input whose runs pass the simulator's span limit,
 * FP_SIM_MAX_SPANS, also gets FP_ELIMIT and skips its validation run in a campaign: that run
 * of the same scenario is as likely to meet the limit, after as long; the replay driver runs it.)
 */
#define FUZZ_CAMPAIGN_MAX_SAMPLES 100000

static void analyse_and_render(const fp_profile *p, int render)
{
    fp_analysis *a = NULL;
    if (fp_analyze(&a, p, NULL, NULL) != FP_OK)
        return;
    FILE *sink = fopen("/dev/null", "w");
    if (sink != NULL) {
        if (render) {
            for (int f = g_render.fmt_lo; f <= g_render.fmt_hi; f++) {
                fp_report_options o = FP_REPORT_OPTIONS_INIT;
                o.format = (fp_report_format)f;
                o.detailed = 1;
                fp_report *r = fp_report_new(&o);
                if (r != NULL &&
                    fp_report_begin_scenario(r, "fuzz", 1, "mt19937", "x", NULL) == FP_OK &&
                    fp_report_add_run(r, p, a, NULL) == FP_OK)
                    fp_report_write(r, sink, NULL);
                fp_report_free(r);
            }
        }
        if (g_render.writers) {
            fp_trace_write_chrome(p, sink, NULL);
            fp_export_folded(p, sink, NULL);
        }
        fclose(sink);
    }
    fp_analysis_free(a);
}

/* The compare writers on names from untrusted bytes: the profile against itself. */
static void compare_and_render(const fp_profile *p)
{
    if (!g_render.compare)
        return;
    fp_compare *c = NULL;
    FILE *sink = fopen("/dev/null", "w");
    static const fp_report_compare_side sides[2] = {{"base", 0, 0}, {"new", 1, 1}};
    if (sink != NULL && fp_compare_new(&c, NULL, NULL) == FP_OK &&
        fp_compare_add_run(c, FP_SIDE_BASE, p, NULL) == FP_OK &&
        fp_compare_add_run(c, FP_SIDE_NEW, p, NULL) == FP_OK && fp_compare_finish(c, NULL) == FP_OK)
        for (int f = g_render.fmt_lo; f <= g_render.fmt_hi; f++)
            fp_report_write_compare(sink, (fp_report_format)f, c, sides, NULL, NULL);
    fp_compare_free(c);
    if (sink != NULL)
        fclose(sink);
}

/* One run index of the validation engine (both variants, time to detect), in every format. */
static void validate_and_render(const fp_scenario *s)
{
    fp_validate_config cfg = FP_VALIDATE_CONFIG_INIT;
    fp_validate_engine *e = NULL;
    fp_thresholds th = FP_THRESHOLDS_INIT;
    FILE *sink = fopen("/dev/null", "w");
    cfg.runs = 1;
    if (sink != NULL && fp_validate_engine_new(&e, &cfg, NULL) == FP_OK &&
        fp_validate_engine_add_scenario(e, s, 1, &th, NULL) == FP_OK &&
        fp_validate_engine_run(e, NULL) == FP_OK)
        for (int f = g_render.fmt_lo; f <= g_render.fmt_hi; f++)
            fp_report_write_validate(sink, (fp_report_format)f, e, NULL);
    fp_validate_engine_free(e);
    if (sink != NULL)
        fclose(sink);
}

/* The input reader on `size` bytes: every run read, the first few analysed. */
static void input_runs(const char *text, size_t size, fp_profile *p)
{
    fp_input *in = NULL;
    (void)fp_input_sniff(text, size);
    if (fp_input_open_mem(&in, text, size, "/nonexistent-fp-fuzz/fuzz.json", NULL) != FP_OK)
        return;
    int got = 1;
    for (size_t n = 0; got; n++) {
        fp_input_run run;
        if (fp_input_next(in, p, &run, &got, NULL) != FP_OK)
            break;
        if (got && n < FUZZ_INPUT_ANALYSED)
            analyse_and_render(p, n == 0);
    }
    fp_input_close(in);
}

/* The --thresholds reader itself (analysis/fp_thresholds_file.c), as the CLI calls it. */
static void thresholds_walk(const char *text, size_t size)
{
    fp_error err = FP_ERROR_INIT;
    fp_thresholds_overrides o;
    if (fp_thresholds_load_yaml(text, size, "fuzz.yaml", &o, &err) != FP_OK)
        return;
    fp_thresholds t = FP_THRESHOLDS_INIT;
    for (size_t i = 0; i < o.n; i++)
        if (fp_thresholds_set(&t, o.keys[i], o.values[i], NULL) != FP_OK)
            abort(); /* every loaded value was checked */
    fp_thresholds_overrides_free(&o);
}

static void run_target(int target, const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    fp_profile *p = fp_profile_new();
    if (p == NULL)
        return;
    if (target == T_SCENARIO) {
        fp_scenario *s = NULL;
        if (fp_scenario_load_string(&s, text, size, "fuzz.yaml", NULL) == FP_OK) {
            fp_sim *sim = NULL;
            fp_sim_options so = FP_SIM_OPTIONS_INIT;
            int too_long = 0;
            so.max_samples = g_render.max_samples;
            if (fp_sim_new(&sim, s, &so, NULL) == FP_OK) {
                for (uint64_t r = 0; r < 2; r++) {
                    fp_status st = fp_sim_run(sim, 1, r, p, NULL);
                    if (st == FP_OK)
                        analyse_and_render(p, r == 0);
                    too_long |= st == FP_ELIMIT;
                }
            }
            fp_sim_free(sim);
            if (!(too_long && g_render.max_samples != 0))
                validate_and_render(s);
        }
        fp_scenario_free(s);
    } else if (target == T_JSON) {
        if (fp_profile_read_json(p, text, size, 0, "fuzz.json", NULL) == FP_OK) {
            analyse_and_render(p, 1);
            compare_and_render(p);
        }
    } else if (target == T_TRACE) {
        if (fp_trace_read_chrome(p, text, size, "fuzz.json", NULL, NULL) == FP_OK) {
            analyse_and_render(p, 1);
            compare_and_render(p);
        }
    } else if (target == T_INPUT) {
        input_runs(text, size, p);
    } else if (target == T_THRESHOLDS) {
        thresholds_walk(text, size);
    } else {
        static fp_status (*const readers[])(fp_profile *, const char *, size_t, const char *,
                                            fp_error *) = {fp_cpuprofile_read, fp_speedscope_read,
                                                           fp_folded_read};
        char *plain = NULL;
        size_t plen = 0;
        if (fp_gzip_is(text, size) &&
            fp_gunzip(text, size, (size_t)64 << 20, "fuzz.gz", &plain, &plen, NULL) == FP_OK) {
            text = plain;
            size = plen;
        }
        for (size_t k = 0; k < sizeof(readers) / sizeof(readers[0]); k++)
            if (readers[k](p, text, size, "fuzz", NULL) == FP_OK) {
                analyse_and_render(p, 1);
                compare_and_render(p);
            }
        fp_free(plain);
    }
    fp_profile_free(p);
}

#ifdef FP_FUZZ_TARGET
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        gsl_set_error_handler_off();
        init = 1;
    }
    uint64_t h = fp_hash_bytes(data, size);
    g_render.fmt_lo = g_render.fmt_hi = (int)(h % (FP_REPORT_OPENMETRICS + 1));
    g_render.compare = (h >> 32) % 4 == 0;
    g_render.writers = (h >> 40) % 4 == 0;
    g_render.max_samples = FUZZ_CAMPAIGN_MAX_SAMPLES;
    run_target(FP_FUZZ_TARGET, data, size);
    return 0;
}
#else
int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    if (argc < 3) {
        fprintf(stderr,
                "usage: fp_fuzz_replay scenario|json|trace|input|thresholds|sampled FILE...\n");
        return 2;
    }
    int target = strcmp(argv[1], "scenario") == 0     ? T_SCENARIO
                 : strcmp(argv[1], "json") == 0       ? T_JSON
                 : strcmp(argv[1], "trace") == 0      ? T_TRACE
                 : strcmp(argv[1], "input") == 0      ? T_INPUT
                 : strcmp(argv[1], "thresholds") == 0 ? T_THRESHOLDS
                 : strcmp(argv[1], "sampled") == 0    ? T_SAMPLED
                                                      : -1;
    if (target < 0) {
        fprintf(stderr, "fp_fuzz_replay: unknown target '%s'\n", argv[1]);
        return 2;
    }
    int n = 0;
    for (int i = 2; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (f == NULL) {
            fprintf(stderr, "fp_fuzz_replay: cannot open %s\n", argv[i]);
            return 1;
        }
        size_t cap = 1 << 16, len = 0;
        uint8_t *buf = malloc(cap);
        size_t got;
        while (buf != NULL && (got = fread(buf + len, 1, cap - len, f)) > 0) {
            len += got;
            if (len == cap) {
                uint8_t *nb = realloc(buf, cap * 2);
                if (nb == NULL) {
                    free(buf);
                    buf = NULL;
                    break;
                }
                buf = nb;
                cap *= 2;
            }
        }
        fclose(f);
        if (buf == NULL)
            return 1;
        run_target(target, buf, len);
        free(buf);
        n++;
    }
    printf("%d passed, 0 failed\n", n);
    return 0;
}
#endif
