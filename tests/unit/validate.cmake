# The validation layer (validate/: statistics, the run engine, sweeps and power curves):
# tests/unit/test_validate.c.
fp_cunit_test(validate LIBS fpsim_reports fpsim_validate fpsim_sim fpsim_analysis
  SUITES stats records engine progress)
