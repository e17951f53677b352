/*
 * fp_test.h - shared CUnit runner and helpers for fpsim's unit tests.
 *
 * Each test_<module>.c defines fp_test_register(), which adds its suites with
 * CU_add_suite/CU_add_test (or the FP_SUITE helper). The shared main (fp_test_main.c) runs all
 * suites, or only the one named by `--suite NAME`, and exits EXIT_FAILURE when anything failed,
 * a suite failed to initialise, the framework reported an error, or no test ran at all
 * (shared/reference/reliability.md section 3).
 */
#ifndef FP_TEST_H
#define FP_TEST_H

#include <stddef.h>

#include <CUnit/CUnit.h>

/* Implemented by each test executable: registers its suites. Returns 0 or -1 on failure. */
int fp_test_register(void);

typedef struct fp_test_case {
    const char *name;
    void (*fn)(void);
} fp_test_case;

/* Adds suite `name` with the NULL-terminated list of tests. Returns 0 or -1. */
int fp_test_add_suite(const char *name, const fp_test_case *tests);

/* Reads a whole file into a new NUL-terminated buffer (free with free()); NULL on failure. */
char *fp_test_read_file(const char *path, size_t *len);

/* Asserts two doubles are equal within `tol` (absolute), reporting both on failure. */
#define FP_ASSERT_NEAR(a, b, tol) CU_ASSERT_DOUBLE_EQUAL((a), (b), (tol))

/*
 * One-sample Kolmogorov-Smirnov statistic sqrt(n)*D of `x` (sorted in place) against `cdf`.
 * Reject at alpha = 0.001 when the result exceeds FP_KS_CRIT_001.
 */
double fp_test_ks(double *x, size_t n, double (*cdf)(double, const void *), const void *ctx);
#define FP_KS_CRIT_001 1.949

#endif
