/*
 * fp_cli_shard.h - shards and merge of `fpsim validate` and `fpsim simulate` (cli/fp_cli_shard.c):
 * the partial result file a shard writes (schemas/partial.schema.json) and `fpsim merge`, which
 * reads the parts back into the command so its output equals the one-process run byte for byte.
 * Private to cli/. Layout and partition in docs/validation.md ("Shards and merge").
 */
#ifndef FP_CLI_SHARD_H
#define FP_CLI_SHARD_H

#include <stdio.h>

#include "fp_cli.h"
#include "fp_validate.h"

/* The writer of one partial file. Plain value; `f` borrowed. */
typedef struct fp_cli_shard_out {
    FILE *f;
    uint64_t count; /* records written */
} fp_cli_shard_out;

/* Writes the header (the campaign: command, its options without --shard/--output/--format/
 * --jobs/--quiet, the scenarios with their content hashes and seeds, the version, K and N).
 * Returns 0 or an exit status (printed). */
int fp_cli_shard_begin(fp_cli_shard_out *o, FILE *f, const char *command, int argc, char **argv,
                       const fp_cli_scenarios *scns, const uint64_t *seeds, uint64_t k, uint64_t n);
/* The engine's sink (fp_validate_sink_fn): one record line. */
fp_status fp_cli_shard_sink(void *ctx, uint64_t pass, const fp_validate_run *r, fp_error *err);
/* Writes the trailer (the record count). FP_OK or FP_EIO. */
fp_status fp_cli_shard_end(fp_cli_shard_out *o, fp_error *err);

/* A merge in progress (opaque, owned by fp_cmd_merge). */
typedef struct fp_cli_merge fp_cli_merge;

/* Checks that the loaded scenarios and their seeds are those the parts were computed from.
 * Returns 0 or an exit status (printed). */
int fp_cli_merge_check(const fp_cli_merge *m, const fp_cli_scenarios *scns, const uint64_t *seeds);
/* The engine's source (fp_validate_source_fn): the next record, from shard run mod N. */
fp_status fp_cli_merge_source(void *ctx, uint64_t pass, uint64_t unit, uint64_t run,
                              fp_validate_run *r, fp_error *err);
/* The next record line of run `run` (from shard run mod N), borrowed until the next call; NULL
 * with `err` set when that part has no more records. */
const char *fp_cli_merge_line(fp_cli_merge *m, uint64_t run, fp_error *err);
/* After the study: every part read to its end, with the count it declares. FP_OK or
 * FP_EPARSE. */
fp_status fp_cli_merge_finish(fp_cli_merge *m, fp_error *err);

/*
 * A checkpoint of a long validate (docs/validation.md "Checkpoint and resume"): the header of a
 * part with format "fpsim-checkpoint", then the records the study has added up, each flushed as
 * it is written, so a signal leaves the records of every finished batch. Opaque; owned by the
 * command.
 */
typedef struct fp_cli_checkpoint fp_cli_checkpoint;

/* Creates checkpoint `path` for this campaign (command, argv as for fp_cli_shard_begin), or with
 * `resume` opens the one an interrupted run left and checks it is this campaign's (same fpsim
 * version, command, options, scenario contents and seeds). 0 or an exit status (printed). */
int fp_cli_checkpoint_open(fp_cli_checkpoint **out, const char *path, int resume,
                           const char *command, int argc, char **argv, const fp_cli_scenarios *scns,
                           const uint64_t *seeds);
/* The next record line a resumed checkpoint holds (*line borrowed until the next call, without
 * the separator; NULL at the end, after which appends follow the last whole line), and its line
 * number. FP_OK or FP_EIO. */
fp_status fp_cli_checkpoint_next(fp_cli_checkpoint *c, const char **line, unsigned long *lineno,
                                 fp_error *err);
/* Whether `c` is still handing out kept lines (0 for NULL). */
int fp_cli_checkpoint_replaying(const fp_cli_checkpoint *c);
/* Appends a record line (no newline), flushed. FP_OK or FP_EIO. */
fp_status fp_cli_checkpoint_append(fp_cli_checkpoint *c, const char *line, fp_error *err);
/* The engine's replay (fp_validate_replay_fn): the kept records, then none. */
fp_status fp_cli_checkpoint_replay(void *ctx, uint64_t pass, uint64_t unit, fp_validate_run *r,
                                   int *got, fp_error *err);
/* The engine's log (fp_validate_sink_fn): appends a record, flushed. */
fp_status fp_cli_checkpoint_log(void *ctx, uint64_t pass, const fp_validate_run *r, fp_error *err);
/* Records in the checkpoint (replayed and written). */
uint64_t fp_cli_checkpoint_kept(const fp_cli_checkpoint *c);
/* Closes `c` (NULL: no-op); `keep` 0 removes its file (the study finished). */
void fp_cli_checkpoint_close(fp_cli_checkpoint *c, int keep);

/* `fpsim validate` with its records from a merge (`m` NULL: the normal command). */
int fp_cli_validate_main(int argc, char **argv, fp_cli_merge *m);
/* The default command (`fpsim report`) with runs 1.. of each scenario from a merge (`m` NULL: the
 * normal command). */
int fp_cli_report_main(int argc, char **argv, fp_cli_merge *m);
/* `fpsim simulate` with its runs' output from a merge (`m` NULL: the normal command). */
int fp_cli_simulate_main(int argc, char **argv, fp_cli_merge *m);

#endif
