/*
 * fp_cli_thresholds.c - `fpsim thresholds`: every analysis threshold with its default, unit,
 * accepted range and meaning, from the detector registry (fp_thresholds_key_info()).
 */
#include <stdio.h>

#include "fp_analysis.h"
#include "fp_cli.h"

static const char *const s_help =
    "Usage: fpsim thresholds\n"
    "\n"
    "Lists every analysis threshold: its dotted key (for --set KEY=VALUE, --thresholds FILE\n"
    "and a scenario's analysis: section), default, unit, accepted range and meaning.\n"
    "\n"
    "Options:\n"
    "  -h, --help   show this help\n";

int fp_cmd_thresholds(int argc, char **argv)
{
    const fp_cli_spec spec = {s_help, FP_CMD_THRESHOLDS_OPTS, 0, NULL, NULL, NULL, 0, NULL};
    fp_cli_common c;
    fp_cli_common_init(&c);
    int rc = fp_cli_parse(&c, &spec, argc, argv);
    fp_cli_common_cleanup(&c);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    printf("%-34s %10s  %-9s %s\n", "KEY", "DEFAULT", "UNIT", "MEANING [RANGE]");
    for (size_t i = 0; i < fp_thresholds_key_count(); i++) {
        const fp_threshold_info *t = fp_thresholds_key_info(i);
        printf("%-34s %10g  %-9s %s [%g, %g]\n", t->key, t->def, t->unit, t->help, t->min, t->max);
    }
    return 0;
}
