# Format converters (profile/fp_trace.c, profile/fp_export.c): tests/unit/test_formats.c.
fp_cunit_test(formats LIBS fpsim_profile SUITES write read bad)
