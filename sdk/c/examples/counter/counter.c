/*
 * counter counts calls per name in the plugin's key-value store (grant
 * "kv"): count("apples") answers 1, then 2, ...; counts() lists every
 * count; reset("apples") forgets one. Counts are stored as decimal text
 * under "count/<name>". Each count is logged at debug level (grant "log").
 */
#include <stdlib.h>
#include <string.h>

#include "rpchost.h"

/* key is where name's count is kept. */
static const char *key(const char *name) { return rpchost_concat("count/", name, NULL); }

static rpchost_value *store_error(void) { return rpchost_fault(RPCHOST_APPLICATION_ERROR, rpchost_error()); }

static rpchost_value *count(rpchost_params *p) {
    const char *name;
    size_t len;
    if (!rpchost_want(p, 1) || !rpchost_param_string(p, 0, &name, &len))
        return p->fault;
    if (len == 0)
        return rpchost_fault(RPCHOST_INVALID_PARAMS, "count: the name is empty");
    const uint8_t *old;
    int64_t n = 0;
    switch (rpchost_kv_get(key(name), &old, NULL)) {
    case RPCHOST_OK:
        n = strtoll((const char *)old, NULL, 10); /* a NUL follows every value read */
        break;
    case RPCHOST_NOT_FOUND:
        break;
    case RPCHOST_ERROR:
        return store_error();
    }
    const char *text = rpchost_itoa(++n);
    if (rpchost_kv_put(key(name), text, strlen(text)) != RPCHOST_OK)
        return store_error();
    rpchost_value *attrs = rpchost_struct();
    rpchost_struct_set(attrs, "name", rpchost_string(name));
    rpchost_struct_set(attrs, "count", rpchost_int(n));
    rpchost_log_attrs(RPCHOST_DEBUG, "counted", attrs);
    return rpchost_int(n);
}

/* counts returns a struct of every name's count, in name order. */
static rpchost_value *counts(rpchost_params *p) {
    rpchost_value *pairs;
    if (!rpchost_want(p, 0))
        return p->fault;
    if (rpchost_kv_scan("count/", 10000, &pairs) != RPCHOST_OK)
        return store_error();
    rpchost_value *all = rpchost_struct();
    for (size_t i = 0; i < pairs->as.array.len; i++) {
        rpchost_value *k = rpchost_array_at(pairs->as.array.items[i], 0);
        rpchost_value *v = rpchost_array_at(pairs->as.array.items[i], 1);
        if (k == NULL || k->type != RPCHOST_STRING || v == NULL || v->type != RPCHOST_BASE64)
            return rpchost_fault(RPCHOST_INTERNAL_ERROR, "counts: the store answered an unexpected pair");
        /* The value is the count in decimal; rpchost_string_n gives it a NUL. */
        const char *digits = rpchost_string_n((const char *)v->as.base64.ptr, v->as.base64.len)->as.string.ptr;
        rpchost_struct_set(all, k->as.string.ptr + strlen("count/"), rpchost_int(strtoll(digits, NULL, 10)));
    }
    return all;
}

static rpchost_value *reset(rpchost_params *p) {
    const char *name;
    if (!rpchost_want(p, 1) || !rpchost_param_string(p, 0, &name, NULL))
        return p->fault;
    if (rpchost_kv_delete(key(name)) != RPCHOST_OK)
        return store_error();
    return rpchost_bool(true);
}

void rpchost_setup(void) {
    rpchost_register("count", count, "Counts calls under a name: 1 for the first, then 2, and so on.",
                     "int string", NULL);
    rpchost_register("counts", counts, "Lists every count, by name.", "struct", NULL);
    rpchost_register("reset", reset, "Forgets the count of a name.", "boolean string", NULL);
}
