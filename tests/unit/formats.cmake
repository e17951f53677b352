# Format converters and the input reader (profile/fp_trace.c, fp_export.c, fp_input.c): tests/unit/test_formats.c.
fp_cunit_test(formats LIBS fpsim_sim fpsim_profile ZLIB::ZLIB SUITES write read bad input sampled)
