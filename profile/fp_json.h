/*
 * fp_json.h - the guarded cJSON parse of profile/ for JSON documents read outside profile/ (the
 * baseline file of analysis/fp_baseline.c). Same limits and located errors as the profile and
 * trace readers (fp_profile_internal.h: fp_json_parse_guarded()).
 *
 * Ownership: on FP_OK *out is a new cJSON tree owned by the caller (free with cJSON_Delete());
 * on error *out is NULL and `err` says where (FILE:LINE:COL).
 */
#ifndef FP_JSON_H
#define FP_JSON_H

#include <stddef.h>

#include "fp_core.h"

struct cJSON;

/* Parses `len` bytes of `text` (need not be NUL-terminated); `what` names the document kind in
 * messages ("baseline"). FP_OK, FP_EPARSE (located), FP_ELIMIT or FP_ENOMEM. */
fp_status fp_json_parse(const char *text, size_t len, const char *file, const char *what,
                        fp_error *err, struct cJSON **out);

#endif /* FP_JSON_H */
