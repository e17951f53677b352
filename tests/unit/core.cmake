# The shared core (profile/fp_core.c): tests/unit/test_core.c.
fp_cunit_test(core LIBS fpsim_profile SUITES alloc hash strmap line_col)
