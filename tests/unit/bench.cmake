fp_cunit_test(bench LIBS fp_bench SUITES stats)
