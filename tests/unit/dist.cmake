# Distributions module (sim/fp_dist.c): validation, sampling, KS and chi-square goodness of fit.
fp_cunit_test(dist LIBS fpsim_sim SUITES make sample ks chisq)
