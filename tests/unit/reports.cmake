# Reports (reports/) and the ground-truth matcher (validate/fp_match.c): tests/unit/test_reports.c.
# Golden files: tests/golden/unit/reports_*; regenerate with FP_UPDATE_GOLDEN=1 and review the diff.
fp_cunit_test(reports LIBS fpsim_reports fpsim_validate fpsim_analysis
  SUITES match quant layout golden degenerate api outputs)
