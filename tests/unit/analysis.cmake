# Analysis engine (analysis/): tests/unit/test_analysis.c, on hand-built profiles.
fp_cunit_test(analysis LIBS fpsim_analysis
  SUITES thresholds metrics slow outliers memory cpu calls_io report edge)

# analysis/ must never read the ground truth nor depend on the simulator or the validation layer:
# it has to give the same answers on profiles read from files or converted from real traces. Every
# source file and the CMake file of analysis/ is checked (ground-truth matching and the validation
# statistics live in validate/, which sits above analysis/).
add_test(NAME analysis.no_ground_truth
  COMMAND sh -c "cd \"$0\"/analysis && ! grep -nE 'fp_profile_truth|fp_truth|fp_profile_add_truth|fp_sim|fp_scenario|fp_match|fp_validate|fpsim_sim|fpsim_validate|include.*(sim|validate)/' *.[ch] CMakeLists.txt"
  ${CMAKE_SOURCE_DIR})
set_tests_properties(analysis.no_ground_truth PROPERTIES TIMEOUT 30 ENVIRONMENT "LC_ALL=C")
