/*
 * fp_json.c - the public face of the guarded JSON parse (fp_json.h).
 */
#include "fp_json.h"

#include "fp_profile_internal.h"

fp_status fp_json_parse(const char *text, size_t len, const char *file, const char *what,
                        fp_error *err, struct cJSON **out)
{
    return fp_json_parse_guarded(text, len, file, what, err, out);
}
