# Profile model and its JSON form (profile/): tests/unit/test_profile.c.
fp_cunit_test(profile LIBS fpsim_profile SUITES model check json_write json_read json_bad yaml)
