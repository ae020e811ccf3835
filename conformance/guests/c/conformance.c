/*
 * The C SDK's conformance plugin: every method of conformance/README.md,
 * with exactly its help texts and signatures.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rpchost.h"

static rpchost_value *invalid(const char *message) { return rpchost_fault(RPCHOST_INVALID_PARAMS, message); }

static rpchost_value *echo(rpchost_params *p) {
    if (!rpchost_want(p, 1))
        return p->fault;
    return p->items[0];
}

static rpchost_value *echo_all(rpchost_params *p) {
    rpchost_value *all = rpchost_array();
    for (size_t i = 0; i < p->len; i++)
        rpchost_array_push(all, p->items[i]);
    return all;
}

static rpchost_value *finite_sum(double d) {
    if (!isfinite(d))
        return invalid("add: the sum overflows a double");
    return rpchost_double(d);
}

static rpchost_value *add(rpchost_params *p) {
    if (!rpchost_want(p, 2))
        return p->fault;
    rpchost_value *a = p->items[0], *b = p->items[1];
    if (a->type == RPCHOST_INT && b->type == RPCHOST_INT) {
        int64_t sum;
        if (__builtin_add_overflow(a->as.integer, b->as.integer, &sum))
            return invalid(rpchost_concat("add: ", rpchost_itoa(a->as.integer), " + ", rpchost_itoa(b->as.integer),
                                          " overflows a 64-bit integer", NULL));
        return rpchost_int(sum);
    }
    if ((a->type == RPCHOST_INT || a->type == RPCHOST_DOUBLE) &&
        (b->type == RPCHOST_INT || b->type == RPCHOST_DOUBLE)) {
        double x = a->type == RPCHOST_INT ? (double)a->as.integer : a->as.number;
        double y = b->type == RPCHOST_INT ? (double)b->as.integer : b->as.number;
        return finite_sum(x + y);
    }
    if (a->type == RPCHOST_STRING && b->type == RPCHOST_STRING) {
        size_t n = a->as.string.len + b->as.string.len;
        char *s = rpchost_scratch(n);
        memcpy(s, a->as.string.ptr, a->as.string.len);
        memcpy(s + a->as.string.len, b->as.string.ptr, b->as.string.len);
        return rpchost_string_n(s, n);
    }
    if (a->type == RPCHOST_BASE64 && b->type == RPCHOST_BASE64) {
        size_t n = a->as.base64.len + b->as.base64.len;
        uint8_t *d = rpchost_scratch(n);
        memcpy(d, a->as.base64.ptr, a->as.base64.len);
        memcpy(d + a->as.base64.len, b->as.base64.ptr, b->as.base64.len);
        return rpchost_base64(d, n);
    }
    if (a->type == RPCHOST_ARRAY && b->type == RPCHOST_ARRAY) {
        rpchost_value *sum = rpchost_array();
        for (size_t i = 0; i < a->as.array.len; i++)
            rpchost_array_push(sum, a->as.array.items[i]);
        for (size_t i = 0; i < b->as.array.len; i++)
            rpchost_array_push(sum, b->as.array.items[i]);
        return sum;
    }
    return invalid(rpchost_concat("add: cannot add ", rpchost_type_name(a), " and ", rpchost_type_name(b), NULL));
}

static rpchost_value *type_of(rpchost_params *p) {
    if (!rpchost_want(p, 1))
        return p->fault;
    return rpchost_string(rpchost_type_name(p->items[0]));
}

static rpchost_value *made(rpchost_params *p) {
    if (!rpchost_want(p, 0))
        return p->fault;
    static const uint8_t bytes[] = {0x00, 0x01, 0x02, 0xFF};
    rpchost_value *s = rpchost_struct();
    rpchost_struct_set(s, "int", rpchost_int(42));
    rpchost_struct_set(s, "i8", rpchost_int(1099511627776LL));
    rpchost_struct_set(s, "negative", rpchost_int(-7));
    rpchost_struct_set(s, "boolean", rpchost_bool(true));
    rpchost_struct_set(s, "double", rpchost_double(1.5));
    rpchost_struct_set(s, "string", rpchost_string("h\xC3\xA9llo, \xE4\xB8\x96\xE7\x95\x8C"));
    rpchost_struct_set(s, "empty", rpchost_string(""));
    rpchost_struct_set(s, "datetime", rpchost_datetime_utc(2001, 2, 3, 4, 5, 6, 789000000));
    rpchost_struct_set(s, "base64", rpchost_base64(bytes, sizeof bytes));
    rpchost_value *array = rpchost_array();
    rpchost_array_push(array, rpchost_int(1));
    rpchost_array_push(array, rpchost_string("two"));
    rpchost_array_push(array, rpchost_double(3.0));
    rpchost_struct_set(s, "array", array);
    rpchost_value *inner = rpchost_struct();
    rpchost_struct_set(inner, "a", rpchost_int(1));
    rpchost_struct_set(inner, "b", rpchost_array_push(rpchost_array(), rpchost_bool(true)));
    rpchost_struct_set(s, "struct", inner);
    rpchost_struct_set(s, "nil", rpchost_nil());
    return s;
}

static rpchost_value *fault(rpchost_params *p) {
    int64_t code;
    const char *message;
    if (!rpchost_want(p, 2) || !rpchost_param_int(p, 0, &code) || !rpchost_param_string(p, 1, &message, NULL))
        return p->fault;
    if (code < INT32_MIN || code > INT32_MAX)
        return invalid("fault: the code is outside the int32 range");
    return rpchost_fault((int32_t)code, message);
}

static rpchost_value *trap(rpchost_params *p) {
    if (!rpchost_want(p, 0))
        return p->fault;
    __builtin_trap();
}

static rpchost_value *store_error(void) { return rpchost_fault(RPCHOST_APPLICATION_ERROR, rpchost_error()); }

static rpchost_value *kv_put(rpchost_params *p) {
    const char *key;
    const uint8_t *value;
    size_t len;
    if (!rpchost_want(p, 2) || !rpchost_param_string(p, 0, &key, NULL) || !rpchost_param_base64(p, 1, &value, &len))
        return p->fault;
    if (rpchost_kv_put(key, value, len) != RPCHOST_OK)
        return store_error();
    return rpchost_bool(true);
}

static rpchost_value *kv_get(rpchost_params *p) {
    const char *key;
    const uint8_t *value;
    size_t len;
    if (!rpchost_want(p, 1) || !rpchost_param_string(p, 0, &key, NULL))
        return p->fault;
    switch (rpchost_kv_get(key, &value, &len)) {
    case RPCHOST_OK:
        return rpchost_base64(value, len);
    case RPCHOST_NOT_FOUND:
        return rpchost_nil();
    default:
        return store_error();
    }
}

static rpchost_value *kv_delete(rpchost_params *p) {
    const char *key;
    if (!rpchost_want(p, 1) || !rpchost_param_string(p, 0, &key, NULL))
        return p->fault;
    if (rpchost_kv_delete(key) != RPCHOST_OK)
        return store_error();
    return rpchost_bool(true);
}

static rpchost_value *kv_put_then_fault(rpchost_params *p) {
    rpchost_value *v = kv_put(p);
    if (rpchost_is_fault(v))
        return v;
    return rpchost_fault(1, "discarded");
}

static rpchost_value *kv_count(rpchost_params *p) {
    const char *name;
    const uint8_t *old;
    if (!rpchost_want(p, 1) || !rpchost_param_string(p, 0, &name, NULL))
        return p->fault;
    int64_t n = 0;
    switch (rpchost_kv_get(name, &old, NULL)) {
    case RPCHOST_OK:
        n = strtoll((const char *)old, NULL, 10);
        break;
    case RPCHOST_NOT_FOUND:
        break;
    default:
        return store_error();
    }
    const char *text = rpchost_itoa(++n);
    if (rpchost_kv_put(name, text, strlen(text)) != RPCHOST_OK)
        return store_error();
    return rpchost_int(n);
}

static rpchost_value *config(rpchost_params *p) {
    const char *key;
    rpchost_value *v;
    if (!rpchost_want(p, 1) || !rpchost_param_string(p, 0, &key, NULL))
        return p->fault;
    switch (rpchost_config_get(key, &v)) {
    case RPCHOST_OK:
        return v;
    case RPCHOST_NOT_FOUND:
        return rpchost_nil();
    default:
        return rpchost_fault(RPCHOST_APPLICATION_ERROR, rpchost_error());
    }
}

static rpchost_value *now(rpchost_params *p) {
    if (!rpchost_want(p, 0))
        return p->fault;
    return rpchost_datetime_ns(rpchost_time_now());
}

static rpchost_value *log_(rpchost_params *p) {
    const char *message;
    if (!rpchost_want(p, 1) || !rpchost_param_string(p, 0, &message, NULL))
        return p->fault;
    rpchost_log(RPCHOST_INFO, message);
    return rpchost_bool(true);
}

void rpchost_setup(void) {
    rpchost_register("echo", echo, "Returns its param.", NULL);
    rpchost_register("echo_all", echo_all, "Returns its params as an array.", NULL);
    rpchost_register("add", add, "Adds two values like Python's +.", "int int int", "double double double",
                     "string string string", "array array array", NULL);
    rpchost_register("type_of", type_of, "Names the type of its param.", NULL);
    rpchost_register("made", made, "Returns one value of every type, made by the guest.", "struct", NULL);
    rpchost_register("fault", fault, "Returns the fault it is asked for.", "nil int string", NULL);
    rpchost_register("trap", trap, "Traps.", "nil", NULL);
    rpchost_register("kv_put", kv_put, "Stores a value under a key.", "boolean string base64", NULL);
    rpchost_register("kv_get", kv_get, "Reads the value stored under a key.", "base64 string", NULL);
    rpchost_register("kv_delete", kv_delete, "Deletes a key.", "boolean string", NULL);
    rpchost_register("kv_put_then_fault", kv_put_then_fault, "Stores a value, then fails.", "nil string base64",
                     NULL);
    rpchost_register("kv_count", kv_count, "Counts calls under a name.", "int string", NULL);
    rpchost_register("config", config, "Reads the plugin's configuration.", NULL);
    rpchost_register("now", now, "Returns the host's clock.", "dateTime.iso8601", NULL);
    rpchost_register("log", log_, "Logs a message.", "boolean string", NULL);
}
