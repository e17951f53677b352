fp_cunit_test(scenario LIBS fpsim_sim SUITES good bad limits faults)
