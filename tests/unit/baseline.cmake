# Baselines (analysis/fp_baseline.c: the model, its file and the test against it; learning from
# clean simulated runs in validate/; proc: the process-level metrics on constructed series):
# tests/unit/test_baseline.c.
fp_cunit_test(baseline LIBS fpsim_validate fpsim_sim fpsim_analysis
  SUITES model file apply proc)
