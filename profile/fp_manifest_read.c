/*
 * fp_manifest_read.c - reads the ground-truth manifest `fpsim generate` writes beside each run
 * (run-K.truth.json, fp_export_manifest()) back into the run's profile, so that `analyze` of a
 * generated run-K.profile.json can show the truth beside its findings.
 */
#include "fp_formats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fp_profile_internal.h"

/* The number fields of an injected record, in fp_truth order after kind/target. */
static const char *const s_num_keys[] = {
    "source",   "start_s",     "end_s",        "magnitude",      "affected_calls", "extra_s",
    "extra_mb", "extra_calls", "extra_io_ops", "extra_io_bytes", "extra_cpu_pct_s"};

static fp_status read_record(fp_profile *p, const cJSON *rec, size_t i, const char *file,
                             fp_error *err)
{
    char path[FP_ERROR_PATH_MAX];
    fp_truth t;
    memset(&t, 0, sizeof(t));
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(rec, "kind");
    snprintf(path, sizeof(path), "injected[%zu].kind", i);
    if (!cJSON_IsString(kind) || fp_kind_from_name(kind->valuestring, &t.kind) != FP_OK)
        return fp_stacks_fail(err, FP_EINVAL, file, path, "expected a bottleneck kind, got %s",
                              fp_stacks_json_type(kind));
    const cJSON *target = cJSON_GetObjectItemCaseSensitive(rec, "target");
    snprintf(path, sizeof(path), "injected[%zu].target", i);
    if (cJSON_IsNull(target)) {
        t.target = FP_TARGET_PROCESS;
    } else if (cJSON_IsString(target)) {
        t.target = fp_profile_find_method(p, target->valuestring);
        if (t.target < 0)
            return fp_stacks_fail(err, FP_EINVAL, file, path, "method '%s' is not in the profile",
                                  target->valuestring);
    } else {
        return fp_stacks_fail(err, FP_EINVAL, file, path, "expected a method name or null, got %s",
                              fp_stacks_json_type(target));
    }
    double v[11];
    for (size_t k = 0; k < 11; k++) {
        const cJSON *it = cJSON_GetObjectItemCaseSensitive(rec, s_num_keys[k]);
        snprintf(path, sizeof(path), "injected[%zu].%s", i, s_num_keys[k]);
        if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble) || it->valuedouble < 0 ||
            ((k == 0 || k == 4) &&
             (it->valuedouble != floor(it->valuedouble) || it->valuedouble > UINT32_MAX)))
            return fp_stacks_fail(err, FP_EINVAL, file, path, "expected a non-negative %s, got %s",
                                  k == 0 || k == 4 ? "integer" : "number", fp_stacks_json_type(it));
        v[k] = it->valuedouble;
    }
    t.source = (uint32_t)v[0];
    t.start_s = v[1];
    t.end_s = v[2];
    t.magnitude = v[3];
    t.affected_calls = (uint32_t)v[4];
    t.extra_s = v[5];
    t.extra_mb = v[6];
    t.extra_calls = v[7];
    t.extra_io_ops = v[8];
    t.extra_io_bytes = v[9];
    t.extra_cpu_pct_s = v[10];
    if (fp_profile_add_truth(p, &t) != FP_OK)
        return fp_error_set(err, FP_ENOMEM, "out of memory reading %s", file);
    return FP_OK;
}

static fp_status read_doc(fp_profile *p, const cJSON *root, const char *file, fp_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "fpsim_manifest");
    if (!cJSON_IsNumber(v) || v->valuedouble != FP_MANIFEST_VERSION)
        return fp_stacks_fail(err, FP_EINVAL, file, "fpsim_manifest",
                              "unsupported fpsim_manifest (this fpsim reads %d)",
                              FP_MANIFEST_VERSION);
    fp_meta m = fp_profile_meta(p);
    const cJSON *scn = cJSON_GetObjectItemCaseSensitive(root, "scenario");
    const cJSON *seed = cJSON_GetObjectItemCaseSensitive(root, "seed");
    const cJSON *run = cJSON_GetObjectItemCaseSensitive(root, "run_index");
    char want_seed[32];
    snprintf(want_seed, sizeof(want_seed), "%llu", (unsigned long long)m.seed);
    if (!cJSON_IsString(scn) || strcmp(scn->valuestring, m.scenario) != 0 ||
        !cJSON_IsString(seed) || strcmp(seed->valuestring, want_seed) != 0 ||
        !cJSON_IsNumber(run) || run->valuedouble != (double)m.run_index)
        return fp_stacks_fail(err, FP_EINVAL, file, "",
                              "the manifest is not the profile's (want scenario '%s', seed %s, "
                              "run %llu)",
                              m.scenario, want_seed, (unsigned long long)m.run_index);
    const cJSON *inj = cJSON_GetObjectItemCaseSensitive(root, "injected");
    if (!cJSON_IsArray(inj))
        return fp_stacks_fail(err, FP_EINVAL, file, "injected", "expected an array, got %s",
                              fp_stacks_json_type(inj));
    size_t i = 0;
    fp_status st = FP_OK;
    for (const cJSON *r = inj->child; r != NULL && st == FP_OK; r = r->next, i++)
        st = read_record(p, r, i, file, err);
    return st;
}

fp_status fp_manifest_read_truth(fp_profile *p, const char *text, size_t len, const char *file,
                                 fp_error *err)
{
    cJSON *root = NULL;
    fp_status st = fp_json_parse_guarded(text, len, file, "manifest", err, &root);
    if (st == FP_OK)
        st = read_doc(p, root, file, err);
    cJSON_Delete(root);
    if (st == FP_OK) {
        fp_error tmp = FP_ERROR_INIT;
        if ((st = fp_profile_check(p, &tmp)) != FP_OK)
            st = fp_stacks_fail(err, st, file, tmp.key_path, "%s", tmp.msg);
    }
    return st;
}
