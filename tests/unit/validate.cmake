# The validation layer (validate/: statistics, the run engine, sweeps and power curves):
# tests/unit/test_validate.c (quantile: the bounded time-to-detect store, fp_quantile.h).
fp_cunit_test(validate LIBS fpsim_reports fpsim_validate fpsim_sim fpsim_analysis
  SUITES stats records engine progress quantile)
