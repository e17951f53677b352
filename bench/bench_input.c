/*
 * bench_input.c - `fpsim analyze` on a runs document against one parse of the same file
 * (issue 8 target: analyse every run <= 2x one parse; before the one input reader, each run
 * re-parsed the whole document: 1,000 runs took 785 s of CPU against ~1 s for one parse).
 *
 * Usage: bench_input [FILE] [ROUNDS (default 9)]
 *   FILE is a runs document (`fpsim simulate --scenario bottlenecked --runs 1000 --format json`);
 *   without one, 1,000 runs of scenarios/bottlenecked.yaml (seed 42) are simulated into a temp
 *   file with the runs writer. Then, ROUNDS times, both sides run, each in a fresh child process
 *   (neither inherits a heap the other warmed) timed with its process CPU clock
 *   (CLOCK_PROCESS_CPUTIME_ID: user + system time of that process, so other processes on the
 *   shared machine do not count), their order alternating from round to round:
 *     parse    read the file and cJSON_ParseWithLength it, then cJSON_Delete;
 *     analyze  what `fpsim analyze FILE` does: fp_input_open/next over every run, fp_analyze,
 *              fp_report_add_run (sections as the CLI starts them), fp_report_write to /dev/null.
 *   Each round gives the ratio analyze / parse of that round (paired: both sides see the same
 *   load); the median ratio and its spread over the rounds are reported, with median times
 *   (fp_bench.h does the pairing and the statistics). FP_BENCH_QUICK=1: 9 rounds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_version.h>

#include "fp_analysis.h"
#include "fp_bench.h"
#include "fp_formats.h"
#include "fp_profile.h"
#include "fp_report.h"
#include "fp_scenario.h"
#include "fp_sim.h"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

/* One parse of the file (reading it included, as the reader reads it too). CPU seconds. */
static double side_parse(const char *path)
{
    double t0 = fp_bench_cpu_now(FP_BENCH_PROCESS);
    size_t len = 0;
    char *text = slurp(path, &len);
    cJSON *j = text != NULL ? cJSON_ParseWithLength(text, len) : NULL;
    double t = j != NULL ? fp_bench_cpu_now(FP_BENCH_PROCESS) - t0 : -1;
    cJSON_Delete(j);
    free(text);
    return t;
}

/* `fpsim analyze FILE` without printing: every run read, analysed and reported. CPU seconds. */
static double side_analyze(const char *path, size_t *runs)
{
    double t0 = fp_bench_cpu_now(FP_BENCH_PROCESS);
    fp_error err = FP_ERROR_INIT;
    fp_input *in = NULL;
    fp_profile *p = fp_profile_new();
    fp_report_options ro = FP_REPORT_OPTIONS_INIT;
    fp_report *rep = fp_report_new(&ro);
    fp_thresholds th = FP_THRESHOLDS_INIT;
    FILE *devnull = fopen("/dev/null", "w");
    char prev[256] = "";
    int got = 0, ok = p != NULL && rep != NULL && devnull != NULL;
    *runs = 0;
    if (ok && fp_input_open(&in, path, &err) != FP_OK)
        ok = 0;
    while (ok) {
        fp_input_run run;
        if (fp_input_next(in, p, &run, &got, &err) != FP_OK) {
            ok = 0;
            break;
        }
        if (!got)
            break;
        fp_meta m = fp_profile_meta(p);
        const char *name = m.scenario[0] != '\0' ? m.scenario : run.file;
        if ((*runs == 0 || strcmp(prev, name) != 0) &&
            fp_report_begin_scenario(rep, name, m.seed, m.rng, m.gsl_version, &err) != FP_OK)
            ok = 0;
        snprintf(prev, sizeof(prev), "%s", name);
        fp_analysis *a = NULL;
        if (ok && (fp_analyze(&a, p, &th, &err) != FP_OK || fp_report_add_run(rep, p, a, &err)))
            ok = 0;
        fp_analysis_free(a);
        (*runs)++;
    }
    if (ok && fp_report_write(rep, devnull, &err) != FP_OK)
        ok = 0;
    double t = ok ? fp_bench_cpu_now(FP_BENCH_PROCESS) - t0 : -1;
    if (!ok)
        fprintf(stderr, "bench_input: %s: %s (%s)\n", err.file, err.msg, err.key_path);
    fp_input_close(in);
    if (devnull != NULL)
        fclose(devnull);
    fp_report_free(rep);
    fp_profile_free(p);
    return t;
}

/* 1,000 runs of the built-in bottlenecked scenario into `path` with the runs writer. */
static int make_runs(const char *path, size_t n)
{
    fp_scenario *scn = NULL;
    fp_sim *sim = NULL;
    fp_profile *p = fp_profile_new();
    fp_error err = FP_ERROR_INIT;
    fp_sim_options so = FP_SIM_OPTIONS_INIT;
    FILE *f = fopen(path, "w");
    fp_runs_writer w;
    int rc = -1;
    if (p == NULL || f == NULL ||
        fp_scenario_load_file(&scn, FP_SOURCE_DIR "/scenarios/bottlenecked.yaml", &err) != FP_OK ||
        fp_sim_new(&sim, scn, &so, &err) != FP_OK ||
        fp_runs_write_begin(&w, f, GSL_VERSION, "mt19937", &err) != FP_OK)
        goto out;
    for (size_t r = 0; r < n; r++)
        if (fp_sim_run(sim, 42, r, p, &err) != FP_OK || fp_runs_write_run(&w, p, &err) != FP_OK)
            goto out;
    if (fp_runs_write_end(&w, &err) == FP_OK)
        rc = 0;
out:
    if (f != NULL && fclose(f) != 0)
        rc = -1;
    if (rc != 0)
        fprintf(stderr, "bench_input: cannot make the runs document: %s\n", err.msg);
    fp_sim_free(sim);
    fp_scenario_free(scn);
    fp_profile_free(p);
    return rc;
}

/* Runs one side in a fresh child process (same start for both: no heap warmed by the other
 * side) and returns the CPU seconds it measured, or -1. */
static double in_child(const char *path, int analyze, size_t *runs)
{
    int fd[2];
    double res[2] = {-1, 0};
    if (pipe(fd) != 0)
        return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return -1;
    }
    if (pid == 0) {
        size_t n = 0;
        close(fd[0]);
        res[0] = analyze ? side_analyze(path, &n) : side_parse(path);
        res[1] = (double)n;
        _exit(write(fd[1], res, sizeof res) == (ssize_t)sizeof res ? 0 : 1);
    }
    close(fd[1]);
    if (read(fd[0], res, sizeof res) != (ssize_t)sizeof res)
        res[0] = -1;
    close(fd[0]);
    int status;
    waitpid(pid, &status, 0);
    if (analyze)
        *runs = (size_t)res[1];
    return res[0];
}

typedef struct {
    const char *path;
    size_t runs;
} input_ctx;

/* Side 0: parse; side 1: analyze. Each in a fresh child. */
static int input_side(void *vctx, int side, size_t round, fp_bench_sample *out)
{
    input_ctx *c = vctx;
    out->sec = in_child(c->path, side, &c->runs);
    out->instr = -1;
    printf("round %zu: %s %.3f s\n", round + 1, side ? "analyze" : "parse", out->sec);
    return out->sec > 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    char path[256];
    int own = argc < 2 || argv[1][0] == '\0';
    size_t rounds = fp_bench_rounds(argc > 2 ? atoi(argv[2]) : 0, 9);
    if (own) {
        snprintf(path, sizeof path, "/tmp/bench_input_%d.json", (int)getpid());
        if (make_runs(path, 1000) != 0)
            return 1;
    } else {
        snprintf(path, sizeof path, "%s", argv[1]);
    }
    size_t len = 0;
    char *text = slurp(path, &len);
    free(text);
    printf("input: %s, %.1f MB\n", path, (double)len / 1048576.0);
    input_ctx c = {path, 0};
    fp_bench_paired res;
    int bad = fp_bench_pair(rounds, input_side, &c, &res) != 0;
    if (own)
        unlink(path);
    if (bad) {
        fprintf(stderr, "bench_input: a side failed\n");
        return 1;
    }
    printf("%zu runs; median CPU: parse %.3f s, analyze %.3f s; analyze / parse: ", c.runs,
           res.sec_a.median, res.sec_b.median);
    fp_bench_print_stats(stdout, &res.ratio, 0.0, 1.0, 2);
    printf(" over %zu paired rounds (target <= 2)\n", rounds);
    return res.ratio.median <= 2.0 ? 0 : 3;
}
