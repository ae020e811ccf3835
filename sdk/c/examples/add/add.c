/*
 * add is the C twin of examples/guests/add: Python's + for XML-RPC values.
 * Build it with `go run ./examples/build` (or the command in
 * sdk/c/README.md).
 */
#include <math.h>
#include <string.h>

#include "rpchost.h"

static rpchost_value *invalid(const char *message) { return rpchost_fault(RPCHOST_INVALID_PARAMS, message); }

/* finite refuses a sum XML-RPC cannot carry (1e308 + 1e308). */
static rpchost_value *finite_sum(double d) {
    if (isinf(d))
        return invalid("add: the sum overflows a double");
    return rpchost_double(d);
}

static rpchost_value *add(rpchost_params *p) {
    if (!rpchost_want(p, 2))
        return p->fault;
    rpchost_value *a = p->items[0], *b = p->items[1];
    switch (a->type) {
    case RPCHOST_INT:
        if (b->type == RPCHOST_INT) {
            int64_t sum;
            if (__builtin_add_overflow(a->as.integer, b->as.integer, &sum))
                return invalid(rpchost_concat("add: ", rpchost_itoa(a->as.integer), " + ",
                                              rpchost_itoa(b->as.integer), " overflows a 64-bit integer", NULL));
            return rpchost_int(sum);
        }
        if (b->type == RPCHOST_DOUBLE)
            return finite_sum((double)a->as.integer + b->as.number);
        break;
    case RPCHOST_DOUBLE:
        if (b->type == RPCHOST_DOUBLE)
            return finite_sum(a->as.number + b->as.number);
        if (b->type == RPCHOST_INT)
            return finite_sum(a->as.number + (double)b->as.integer);
        break;
    case RPCHOST_STRING:
        if (b->type == RPCHOST_STRING) {
            size_t n = a->as.string.len + b->as.string.len;
            char *s = rpchost_scratch(n);
            memcpy(s, a->as.string.ptr, a->as.string.len);
            memcpy(s + a->as.string.len, b->as.string.ptr, b->as.string.len);
            return rpchost_string_n(s, n);
        }
        break;
    case RPCHOST_BASE64:
        if (b->type == RPCHOST_BASE64) {
            size_t n = a->as.base64.len + b->as.base64.len;
            uint8_t *d = rpchost_scratch(n);
            memcpy(d, a->as.base64.ptr, a->as.base64.len);
            memcpy(d + a->as.base64.len, b->as.base64.ptr, b->as.base64.len);
            return rpchost_base64(d, n);
        }
        break;
    case RPCHOST_ARRAY:
        if (b->type == RPCHOST_ARRAY) {
            rpchost_value *sum = rpchost_array();
            for (size_t i = 0; i < a->as.array.len; i++)
                rpchost_array_push(sum, a->as.array.items[i]);
            for (size_t i = 0; i < b->as.array.len; i++)
                rpchost_array_push(sum, b->as.array.items[i]);
            return sum;
        }
        break;
    default:
        break;
    }
    return invalid(rpchost_concat("add: cannot add ", rpchost_type_name(a), " and ", rpchost_type_name(b), NULL));
}

void rpchost_setup(void) {
    rpchost_register("add", add,
                     "Adds two values like Python's +: int+int gives int (an error on overflow), "
                     "a double with an int or a double gives a double, and string+string, base64+base64 "
                     "or array+array concatenate.",
                     "int int int", "i8 i8 i8", "double double double", "double int double",
                     "double double int", "string string string", "base64 base64 base64", "array array array",
                     NULL);
}
