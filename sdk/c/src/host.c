/*
 * The host capabilities of module "rpchost" (abi/doc.go, "Host
 * capabilities"), wrapped. Each import is referenced only by its wrapper,
 * so the linker imports only the capabilities a plugin calls: a plugin
 * that never logs needs no "log" grant.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define IMPORT(n) __attribute__((import_module("rpchost"), import_name(#n)))

IMPORT(log) void rh_log(const void *p, int32_t n);
IMPORT(kv_get) int32_t rh_kv_get(const void *k, int32_t kn);
IMPORT(kv_put) int32_t rh_kv_put(const void *k, int32_t kn, const void *v, int32_t vn);
IMPORT(kv_delete) int32_t rh_kv_delete(const void *k, int32_t kn);
IMPORT(kv_scan) int32_t rh_kv_scan(const void *p, int32_t pn, int32_t limit);
IMPORT(config_get) int32_t rh_config_get(const void *k, int32_t kn);
IMPORT(time_now) int64_t rh_time_now(void);
IMPORT(result_read) void rh_result_read(void *p);

const char *rpchost_error(void) { return rh_last_error; }

/* result takes a capability's answer r: the result's bytes into the arena
 * (followed by a NUL), RPCHOST_NOT_FOUND, or RPCHOST_ERROR with the host's
 * message kept for rpchost_error. */
static rpchost_status result(int32_t r, uint8_t **data, size_t *len) {
    if (r == -1)
        return RPCHOST_NOT_FOUND;
    size_t n = r >= 0 ? (size_t)r : (size_t)(-2 - (int64_t)r);
    uint8_t *p = rh_arena_alloc(n + 1);
    if (n > 0) /* an empty result needs no copy (abi/doc.go) */
        rh_result_read(p);
    p[n] = 0;
    if (r >= 0) {
        *data = p;
        *len = n;
        return RPCHOST_OK;
    }
    rh_last_error = rh_utf8_fix((const char *)p, n, &n);
    return RPCHOST_ERROR;
}

static rpchost_status failed(const char *why) {
    rh_last_error = why;
    return RPCHOST_ERROR;
}

/* key_len refuses keys no i32 can measure, rather than truncate them. */
static bool key_len(const char *key, int32_t *n) {
    size_t l = strlen(key);
    if (l > INT32_MAX)
        return false;
    *n = (int32_t)l;
    return true;
}

void rpchost_log_attrs(int level, const char *message, const rpchost_value *attrs) {
    rh_buf b = {0};
    size_t n;
    /* The buffer is malloc'd, not the arena's: a log in a loop should not
     * grow the call's memory. */
    const char *msg = rh_utf8_fix(message, strlen(message), &n);
    rh_write_array_header(&b, 3);
    rh_write_int(&b, level);
    rh_write_str(&b, msg, n);
    if (attrs == NULL || attrs->type != RPCHOST_STRUCT || rh_write_value(&b, attrs) != NULL) {
        b.len = 0;
        rh_write_array_header(&b, 3);
        rh_write_int(&b, level);
        rh_write_str(&b, msg, n);
        rh_write_map_header(&b, 0);
    }
    if (b.len <= INT32_MAX)
        rh_log(b.p, (int32_t)b.len);
    free(b.p);
}

void rpchost_log(int level, const char *message) { rpchost_log_attrs(level, message, NULL); }

rpchost_status rpchost_kv_get(const char *key, const uint8_t **value, size_t *len) {
    int32_t kn;
    uint8_t *p;
    size_t n;
    if (!key_len(key, &kn))
        return failed("key too long");
    rpchost_status s = result(rh_kv_get(key, kn), &p, &n);
    if (s == RPCHOST_OK) {
        *value = p;
        if (len)
            *len = n;
    }
    return s;
}

rpchost_status rpchost_kv_put(const char *key, const void *value, size_t len) {
    int32_t kn;
    uint8_t *p;
    size_t n;
    if (!key_len(key, &kn) || len > INT32_MAX)
        return failed("key or value too long");
    return result(rh_kv_put(key, kn, value, (int32_t)len), &p, &n);
}

rpchost_status rpchost_kv_delete(const char *key) {
    int32_t kn;
    uint8_t *p;
    size_t n;
    if (!key_len(key, &kn))
        return failed("key too long");
    return result(rh_kv_delete(key, kn), &p, &n);
}

/* decode reads a MessagePack value the host answered with. */
static rpchost_status decode(const uint8_t *p, size_t n, rpchost_value **out) {
    rh_reader r = {p, p + n, NULL, p};
    rpchost_value *v = rh_read_value(&r);
    if (v == NULL)
        return failed(rpchost_concat("the host's answer: ", r.err, NULL));
    if (r.p != r.end)
        return failed("the host's answer: bytes after its end");
    *out = v;
    return RPCHOST_OK;
}

rpchost_status rpchost_kv_scan(const char *prefix, int32_t limit, rpchost_value **pairs) {
    int32_t kn;
    uint8_t *p;
    size_t n;
    if (!key_len(prefix, &kn))
        return failed("prefix too long");
    rpchost_status s = result(rh_kv_scan(prefix, kn, limit), &p, &n);
    if (s == RPCHOST_NOT_FOUND) { /* not an answer kv_scan gives; read as none */
        *pairs = rpchost_array();
        return RPCHOST_OK;
    }
    if (s != RPCHOST_OK)
        return s;
    if ((s = decode(p, n, pairs)) == RPCHOST_OK && (*pairs)->type != RPCHOST_ARRAY)
        return failed("the host's answer to kv_scan is not an array");
    return s;
}

rpchost_status rpchost_config_get(const char *key, rpchost_value **value) {
    int32_t kn;
    uint8_t *p;
    size_t n;
    if (!key_len(key, &kn))
        return failed("key too long");
    rpchost_status s = result(rh_config_get(key, kn), &p, &n);
    if (s != RPCHOST_OK)
        return s;
    return decode(p, n, value);
}

int64_t rpchost_time_now(void) { return rh_time_now(); }
