# The recorder (record/fp_record.h): tests/unit/test_record.c, on real child processes.
fp_cunit_test(record LIBS fpsim_record SUITES units run)
