# The streaming Chrome trace reader (profile/fp_trace.c, fp_trace_read_chrome_file): tests/unit/test_trace_stream.c.
fp_cunit_test(trace_stream LIBS fpsim_profile SUITES stream)
