# The span client library (include/fpsim/span.h): tests/unit/test_span.c, in fork()ed children.
fp_cunit_test(span LIBS fpsim_span SUITES buffer)
