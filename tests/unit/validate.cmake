# Validation statistics (analysis/fp_validate.c): tests/unit/test_validate.c.
fp_cunit_test(validate LIBS fpsim_analysis SUITES stats records)
