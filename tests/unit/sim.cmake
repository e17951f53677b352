fp_cunit_test(sim LIBS fpsim_sim SUITES determinism coherence truth resources calibration)
