# Analysis engine (analysis/): tests/unit/test_analysis.c, on hand-built profiles.
fp_cunit_test(analysis LIBS fpsim_analysis
  SUITES thresholds metrics slow outliers memory cpu calls_io report edge)

# The analysis engine must never read the ground truth nor depend on the simulator: it has to
# give the same answers on profiles read from files or converted from real traces. (fp_match.*,
# the validation matcher, is the one analysis unit that reads the truth, by design.)
add_test(NAME analysis.no_ground_truth
  COMMAND sh -c "cd \"$0\"/analysis && ! grep -nE 'fp_profile_truth|fp_truth|fp_profile_add_truth|sim/|fp_sim|fp_scenario|fp_match' fp_analysis*.[ch] fp_metrics.c fp_detect.c fp_thresholds.c"
  ${CMAKE_SOURCE_DIR})
set_tests_properties(analysis.no_ground_truth PROPERTIES TIMEOUT 30 ENVIRONMENT "LC_ALL=C")
