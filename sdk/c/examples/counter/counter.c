/*
 * counter counts calls per name in the plugin's key-value store (grant
 * "kv"): count("apples") answers 1, then 2, ...; reset("apples") forgets.
 * Counts are stored as decimal text, so `rpchost kv` shows them readably.
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
    return rpchost_int(n);
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
    rpchost_register("reset", reset, "Forgets the count of a name.", "boolean string", NULL);
}
