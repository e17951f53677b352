/*
 * test_core.c - the shared core (profile/fp_core.h): the allocation seam's fail-after-N hook,
 * also when several threads allocate at once (run under ThreadSanitizer in .ci/run).
 */
#include <pthread.h>
#include <string.h>

#include "fp_core.h"
#include "fp_test.h"

/* ---- allocation seam ---- */

static void test_fail_after(void)
{
    fp_alloc_fail_after(3);
    void *a = fp_malloc(8), *b = fp_calloc(2, 8), *c = fp_malloc(8), *d = fp_realloc(NULL, 8);
    CU_ASSERT_PTR_NOT_NULL(a);
    CU_ASSERT_PTR_NOT_NULL(b);
    CU_ASSERT_PTR_NULL(c); /* the third and every later allocation fail */
    CU_ASSERT_PTR_NULL(d);
    CU_ASSERT_EQUAL(fp_alloc_count(), 4);
    fp_alloc_fail_after(0); /* disables failures, restarts the count */
    CU_ASSERT_EQUAL(fp_alloc_count(), 0);
    c = fp_malloc(8);
    CU_ASSERT_PTR_NOT_NULL(c);
    CU_ASSERT_EQUAL(fp_alloc_count(), 1);
    fp_free(a);
    fp_free(b);
    fp_free(c);
}

#define N_THREADS 4
#define N_ALLOCS 2000

static void *alloc_worker(void *arg)
{
    unsigned long *failed = arg;
    for (int i = 0; i < N_ALLOCS; i++) {
        void *p = fp_malloc(16);
        if (p == NULL)
            (*failed)++;
        fp_free(p);
    }
    return NULL;
}

/* Runs N_THREADS allocating threads; returns the number of failed allocations in all of them. */
static unsigned long run_threads(void)
{
    pthread_t t[N_THREADS];
    unsigned long failed[N_THREADS];
    unsigned long sum = 0;
    int started = 0;
    memset(failed, 0, sizeof(failed));
    for (int i = 0; i < N_THREADS; i++)
        started += pthread_create(&t[i], NULL, alloc_worker, &failed[i]) == 0;
    CU_ASSERT_EQUAL_FATAL(started, N_THREADS);
    for (int i = 0; i < N_THREADS; i++) {
        pthread_join(t[i], NULL);
        sum += failed[i];
    }
    return sum;
}

/* The counter is shared by every thread: no increment is lost, and the N-th allocation of the
 * whole process fails, whichever thread makes it. */
static void test_threads(void)
{
    fp_alloc_fail_after(0);
    CU_ASSERT_EQUAL(run_threads(), 0);
    CU_ASSERT_EQUAL(fp_alloc_count(), (unsigned long)N_THREADS * N_ALLOCS);
    unsigned long at = (unsigned long)N_THREADS * N_ALLOCS / 2;
    fp_alloc_fail_after(at);
    CU_ASSERT_EQUAL(run_threads(), (unsigned long)N_THREADS * N_ALLOCS - at + 1);
    fp_alloc_fail_after(0);
}

int fp_test_register(void)
{
    static const fp_test_case alloc[] = {
        {"fail_after", test_fail_after}, {"threads", test_threads}, {NULL, NULL}};
    if (fp_test_add_suite("alloc", alloc) != 0)
        return -1;
    return 0;
}
