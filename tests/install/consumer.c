/* consumer.c - a program built against the installed fpsim (tests/install/test_install.sh):
 * a scenario read from YAML, one simulated run, its analysis and the JSON report. */
#include <stdio.h>
#include <string.h>

#include "fp_analysis.h"
#include "fp_report.h"
#include "fp_sim.h"

static const char yaml[] = "name: demo\nmethods:\n  - {name: load, calls: 3, duration_s: 2}\n"
                           "  - {name: save, calls: 1, duration_s: 0.5}\n";

int main(void)
{
    fp_error err = FP_ERROR_INIT;
    fp_scenario *scn = NULL;
    fp_sim *sim = NULL;
    fp_profile *prof = fp_profile_new();
    fp_analysis *a = NULL;
    fp_thresholds th = FP_THRESHOLDS_INIT;
    fp_report *rep = fp_report_new(NULL);
    int ok = prof != NULL && rep != NULL &&
             fp_scenario_load_string(&scn, yaml, strlen(yaml), "demo.yaml", &err) == FP_OK &&
             fp_sim_new(&sim, scn, NULL, &err) == FP_OK &&
             fp_sim_run(sim, 7, 0, prof, &err) == FP_OK &&
             fp_analyze(&a, prof, &th, &err) == FP_OK &&
             fp_report_begin_scenario(rep, "demo", 7, "mt19937", "", &err) == FP_OK &&
             fp_report_add_run(rep, prof, a, &err) == FP_OK;
    if (ok)
        printf("fpsim %s: %zu scenario\n", fp_version(), fp_report_scenario_count(rep));
    ok = ok && fp_report_write_json(rep, stdout, &err) == FP_OK;
    if (!ok)
        fprintf(stderr, "consumer: %s\n", err.msg);
    fp_analysis_free(a), fp_report_free(rep), fp_sim_free(sim), fp_scenario_free(scn);
    fp_profile_free(prof);
    return ok ? 0 : 1;
}
