# Tracer conventions and real traces with planted problems (profile/fp_trace.c, analysis/):
# tests/unit/test_realtraces.c on tests/data/traces/real/ (docs/real-traces.md).
fp_cunit_test(realtraces LIBS fpsim_analysis SUITES conventions recorded)
