# Comparison of two sets of runs (analysis/fp_compare.*): tests/unit/test_compare.c.
fp_cunit_test(compare LIBS fpsim_reports fpsim_analysis SUITES mw hl decision rates runs)
