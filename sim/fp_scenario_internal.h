/*
 * fp_scenario_internal.h - the scenario's in-memory form, shared by the loader (fp_scenario.c)
 * and the simulator (fp_sim.c). Private to sim/: no other module includes it.
 *
 * Invariants established by the loader (the simulator relies on them and does not re-check):
 *  - method names are unique; callee and bottleneck targets are valid method indices;
 *  - the call graph (methods -> callees) is acyclic, so the simulator's recursion from the
 *    top-level calls is bounded by the number of methods;
 *  - every method is reachable: it has top-level calls (a non-zero `calls`) or a caller;
 *  - every distribution is validated; durations, memory, I/O and counts have support >= 0,
 *    CPU has support inside [0, 100], fractions and probabilities inside [0, 1];
 *  - process.sample_interval_s > 0; noise values >= 0; process.io_latency_s >= 0 and
 *    process.io_bandwidth_mb_s > 0.
 */
#ifndef FP_SCENARIO_INTERNAL_H
#define FP_SCENARIO_INTERNAL_H

#include "fp_dist.h"
#include "fp_scenario.h"
#include "fp_profile.h"

typedef struct fp_callee_spec {
    uint32_t method; /* callee index */
    fp_dist count;   /* calls of the callee per call of the caller */
    int parallel;    /* 1: those calls start together and run concurrently */
    unsigned long line, col;
} fp_callee_spec;

typedef struct fp_method_spec {
    char *name;
    fp_dist calls;         /* top-level calls per run (constant 0 when only called by others) */
    fp_dist duration_s;    /* own work per call, seconds */
    fp_dist cpu_pct;       /* CPU % of the machine during own work */
    fp_dist alloc_mb;      /* MB allocated per call */
    fp_dist retained_frac; /* fraction of the allocation still held after the call */
    int io_is_rate;        /* 0: io_ops/io_bytes per call; 1: per second of own work */
    fp_dist io_ops;
    fp_dist io_bytes;
    fp_callee_spec *callees;
    size_t n_callees;
    unsigned long line, col;
} fp_method_spec;

typedef struct fp_bottleneck_spec {
    fp_kind kind;
    int32_t target;        /* method index, or FP_TARGET_PROCESS */
    double probability;    /* chance of occurring in a run */
    fp_dist magnitude;     /* kind-specific, see docs/scenario-format.md */
    int onset_is_fraction; /* onset given as a fraction of the run (or of the method's calls) */
    double onset;          /* seconds, or a fraction in [0, 1] */
    double ramp_s;         /* 0: abrupt; else the effect grows linearly over ramp_s seconds */
    fp_dist fraction;      /* latency_outliers: fraction of calls affected */
    fp_dist episodes;      /* cpu_saturation on the process: number of episodes per run */
    fp_dist episode_s;     /* cpu_saturation on the process: length of each episode, seconds */
    unsigned long line, col;
} fp_bottleneck_spec;

/* Defaults of process.io_latency_ms and process.io_bandwidth_mb_s (docs/scenario-format.md). */
#define FP_SCENARIO_IO_LATENCY_MS 0.1
#define FP_SCENARIO_IO_BANDWIDTH_MB_S 500.0

typedef struct fp_process_spec {
    fp_dist baseline_mb;  /* resident memory before the flow starts, MB */
    fp_dist idle_cpu_pct; /* CPU % when no method is doing work */
    double sample_interval_s;
    double noise_mem_mb;      /* sd of additive Gaussian noise on each memory sample */
    double noise_cpu_pct;     /* sd of additive Gaussian noise on each CPU sample */
    double noise_io_rel;      /* relative sd of multiplicative noise on each I/O sample */
    double io_latency_s;      /* wait per I/O operation, seconds (io_latency_ms / 1000) */
    double io_bandwidth_mb_s; /* I/O transfer rate, MB/s: a call waits bytes / 2^20 / this */
    uint32_t cores;           /* CPU cores the process can use, 1..FP_SCENARIO_MAX_CORES */
    /* resident growth no span accounts for, MB/s: a normal pattern (0: none) */
    double memory_growth_mb_s;
} fp_process_spec;

/* Largest process.cores a scenario may declare. */
#define FP_SCENARIO_MAX_CORES 4096

typedef struct fp_analysis_override {
    char *key;
    double value;
    unsigned long line, col;
} fp_analysis_override;

struct fp_scenario {
    char *name;
    char *description;
    char *file;
    int has_seed;
    uint64_t seed;
    fp_process_spec process;
    fp_method_spec *methods;
    size_t n_methods;
    fp_bottleneck_spec *bottlenecks;
    size_t n_bottlenecks;
    fp_analysis_override *overrides;
    size_t n_overrides;
};

#endif /* FP_SCENARIO_INTERNAL_H */
