/*
 * fp_test_main.c - the one CUnit runner every unit test executable uses.
 *
 * It cannot report green when anything failed: all counters are read before
 * CU_cleanup_registry() (which resets them), and the exit status is EXIT_FAILURE when the run
 * returned an error, CU_get_error() is set, any failure record or failed suite exists, or zero
 * tests ran. Never a raw count (it would wrap modulo 256).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <gsl/gsl_errno.h>

#include "fp_test.h"

int fp_test_add_suite(const char *name, const fp_test_case *tests)
{
    CU_pSuite s = CU_add_suite(name, NULL, NULL);
    if (s == NULL)
        return -1;
    for (const fp_test_case *t = tests; t->name != NULL; t++) {
        if (CU_add_test(s, t->name, t->fn) == NULL)
            return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--suite") == 0 && i + 1 < argc) {
            only = argv[++i];
        } else {
            fprintf(stderr, "usage: %s [--suite NAME]\n", argv[0]);
            return EXIT_FAILURE;
        }
    }
    gsl_set_error_handler_off();
    if (CU_initialize_registry() != CUE_SUCCESS) {
        fprintf(stderr, "CUnit: cannot initialise registry\n");
        return EXIT_FAILURE;
    }
    if (fp_test_register() != 0) {
        fprintf(stderr, "CUnit: registration failed: %s\n", CU_get_error_msg());
        CU_cleanup_registry();
        return EXIT_FAILURE;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_ErrorCode rc;
    if (only != NULL) {
        CU_pSuite s = CU_get_suite(only);
        if (s == NULL) {
            fprintf(stderr, "CUnit: no suite named '%s'\n", only);
            CU_cleanup_registry();
            return EXIT_FAILURE;
        }
        rc = CU_basic_run_suite(s);
    } else {
        rc = CU_basic_run_tests();
    }
    /* Read every counter before CU_cleanup_registry() resets them. */
    unsigned int ran = CU_get_number_of_tests_run();
    unsigned int failed_tests = CU_get_number_of_tests_failed();
    unsigned int failures = CU_get_number_of_failures();
    unsigned int records = CU_get_number_of_failure_records();
    unsigned int suites_failed = CU_get_number_of_suites_failed();
    CU_ErrorCode err = CU_get_error();
    CU_cleanup_registry();

    int bad = rc != CUE_SUCCESS || err != CUE_SUCCESS || failed_tests > 0 || failures > 0 ||
              records > 0 || suites_failed > 0 || ran == 0;
    printf("\n%u passed, %u failed\n", ran - failed_tests, failed_tests);
    if (ran == 0)
        fprintf(stderr, "CUnit: no test ran\n");
    return bad ? EXIT_FAILURE : EXIT_SUCCESS;
}
