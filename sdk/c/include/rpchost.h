/*
 * rpchost.h — the C guest SDK for rpchost (ABI version 1, see abi/doc.go).
 *
 * A plugin defines rpchost_setup(), which registers its methods, and one
 * handler per method. A handler reads its params with the rpchost_param_*
 * accessors and returns a value built with the constructors below, or a
 * fault:
 *
 *     #include "rpchost.h"
 *
 *     static rpchost_value *hello(rpchost_params *p) {
 *         const char *name;
 *         if (!rpchost_want(p, 1) || !rpchost_param_string(p, 0, &name, NULL))
 *             return p->fault;
 *         return rpchost_string(rpchost_concat("hello, ", name, NULL));
 *     }
 *
 *     void rpchost_setup(void) {
 *         rpchost_register("hello", hello, "Greets its param.", "string string", NULL);
 *     }
 *
 * Build (from the repository root; sdk/c/README.md says more):
 *
 *     clang --target=wasm32-wasi -O2 -mexec-model=reactor -Wl,--strip-debug,--stack-first \
 *         -Isdk/c/include sdk/c/src/arena.c sdk/c/src/exports.c ... hello.c -o hello.wasm
 *
 * Memory: every value, string and buffer the SDK hands out or builds during
 * a call lives in an arena that is emptied when the next call begins. A
 * handler never frees anything; it must not keep a pointer from one call to
 * the next (copy with malloc what it wants to keep). Running out of memory
 * traps, with a message on stderr: the host answers a fault and discards
 * the instance.
 */
#ifndef RPCHOST_H
#define RPCHOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI version this SDK speaks. */
#define RPCHOST_ABI_VERSION 1

/* How deeply arrays and structs may nest inside one param or result. */
#define RPCHOST_MAX_DEPTH 128

/* Fault codes of the XML-RPC fault-code interoperability convention. */
enum {
    RPCHOST_PARSE_ERROR = -32700,
    RPCHOST_INVALID_REQUEST = -32600,
    RPCHOST_METHOD_NOT_FOUND = -32601,
    RPCHOST_INVALID_PARAMS = -32602,
    RPCHOST_INTERNAL_ERROR = -32603,
    RPCHOST_APPLICATION_ERROR = -32500
};

/* The XML-RPC types. <i4>, <int> and <i8> are all RPCHOST_INT. */
typedef enum rpchost_type {
    RPCHOST_NIL,
    RPCHOST_BOOLEAN,
    RPCHOST_INT,
    RPCHOST_DOUBLE,
    RPCHOST_STRING,
    RPCHOST_BASE64,
    RPCHOST_DATETIME,
    RPCHOST_ARRAY,
    RPCHOST_STRUCT,
    RPCHOST_FAULT /* not a value: what rpchost_fault returns */
} rpchost_type;

typedef struct rpchost_value rpchost_value;

/* One member of a struct. name is NUL-terminated too. */
typedef struct rpchost_member {
    const char *name;
    size_t name_len;
    rpchost_value *value;
} rpchost_member;

/*
 * A value. Read its fields according to type; build values with the
 * constructors rather than by hand. Strings are valid UTF-8 and
 * NUL-terminated (len does not count the NUL; a string may hold U+0000, so
 * prefer len). A datetime is seconds since 1970-01-01T00:00:00Z and
 * nanoseconds (0 to 999,999,999), UTC.
 */
struct rpchost_value {
    rpchost_type type;
    union {
        bool boolean;
        int64_t integer;
        double number;
        struct { const char *ptr; size_t len; } string;
        struct { const uint8_t *ptr; size_t len; } base64;
        struct { int64_t sec; uint32_t nsec; } datetime;
        struct { rpchost_value **items; size_t len, cap; } array;
        struct { rpchost_member *members; size_t len, cap; } structure;
        struct { int32_t code; const char *message; } fault;
    } as;
};

/*
 * The params of a call. When an accessor below returns false, fault holds
 * the invalid-params fault that says why ("param 2: want int, got string"):
 * return it.
 */
typedef struct rpchost_params {
    const char *method; /* the method's name, as registered */
    size_t len;         /* how many params */
    rpchost_value **items;
    rpchost_value *fault;
} rpchost_params;

/* A handler implements one method: it returns the result, or a fault. */
typedef rpchost_value *(*rpchost_handler)(rpchost_params *p);

/*
 * rpchost_setup is written by the plugin: it registers every method. The SDK
 * calls it once per instance, before the first describe or call.
 */
void rpchost_setup(void);

/*
 * rpchost_register makes handler callable as name, with help for
 * system.methodHelp and any number of signatures for
 * system.methodSignature, ended by NULL. A signature is a string of XML-RPC
 * type names separated by spaces or commas, the return type first:
 * "int int int". name is made of A-Z a-z 0-9 _ . : / and does not start
 * with "_". A mistake (bad name, unknown type, a name registered twice) is
 * a bug in the plugin: the module traps at load with a message saying it.
 */
void rpchost_register(const char *name, rpchost_handler handler, const char *help, ...)
    __attribute__((sentinel));

/* --- params ---------------------------------------------------------- */

/* rpchost_want is true when there are exactly n params. */
bool rpchost_want(rpchost_params *p, size_t n);
/* rpchost_param returns param i (0-based), or NULL when it is missing. */
rpchost_value *rpchost_param(rpchost_params *p, size_t i);
bool rpchost_param_int(rpchost_params *p, size_t i, int64_t *out);
/* A double, or an int converted (clients send whole numbers as ints). */
bool rpchost_param_double(rpchost_params *p, size_t i, double *out);
bool rpchost_param_bool(rpchost_params *p, size_t i, bool *out);
/* len may be NULL. */
bool rpchost_param_string(rpchost_params *p, size_t i, const char **out, size_t *len);
bool rpchost_param_base64(rpchost_params *p, size_t i, const uint8_t **out, size_t *len);
bool rpchost_param_datetime(rpchost_params *p, size_t i, int64_t *sec, uint32_t *nsec);
bool rpchost_param_array(rpchost_params *p, size_t i, rpchost_value **out);
bool rpchost_param_struct(rpchost_params *p, size_t i, rpchost_value **out);

/* --- values ---------------------------------------------------------- */

/* The XML-RPC name of v's type: "int", "string", ..., "nil". */
const char *rpchost_type_name(const rpchost_value *v);

rpchost_value *rpchost_nil(void);
rpchost_value *rpchost_bool(bool b);
rpchost_value *rpchost_int(int64_t i);
/* A NaN or an infinity makes the result a fault: XML-RPC cannot carry it. */
rpchost_value *rpchost_double(double d);
/* The string constructors copy s; it must be valid UTF-8. */
rpchost_value *rpchost_string(const char *s);
rpchost_value *rpchost_string_n(const char *s, size_t len);
rpchost_value *rpchost_base64(const void *data, size_t len);
rpchost_value *rpchost_datetime(int64_t sec, uint32_t nsec);
/* A datetime from its UTC calendar parts (month 1-12, day 1-31). */
rpchost_value *rpchost_datetime_utc(int year, int month, int day, int hour, int minute,
                                    int second, uint32_t nsec);
/* A datetime from Unix nanoseconds, such as rpchost_time_now returns. */
rpchost_value *rpchost_datetime_ns(int64_t unix_nanos);

/* An empty array; rpchost_array_push appends to it and returns it. */
rpchost_value *rpchost_array(void);
rpchost_value *rpchost_array_push(rpchost_value *array, rpchost_value *item);
/* Item i of an array, or NULL when there is none or v is not an array. */
rpchost_value *rpchost_array_at(const rpchost_value *array, size_t i);

/* An empty struct. rpchost_struct_set adds a member at the end, or replaces
 * the value of the member of that name where it is; it returns the struct.
 * It looks the name up among the members: building a struct of n members
 * costs n*n/2 comparisons, fine for the hundreds, slow for 100,000. */
rpchost_value *rpchost_struct(void);
rpchost_value *rpchost_struct_set(rpchost_value *s, const char *name, rpchost_value *value);
/* The member named name, or NULL. */
rpchost_value *rpchost_struct_get(const rpchost_value *s, const char *name);

/* --- faults ---------------------------------------------------------- */

/* A fault to return from a handler (the message is copied). */
rpchost_value *rpchost_fault(int32_t code, const char *message);
/* The same with a printf format (links printf into the module: about 15 KB). */
rpchost_value *rpchost_faultf(int32_t code, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
bool rpchost_is_fault(const rpchost_value *v);

/* --- call-scoped memory and strings ----------------------------------- */

/* n bytes, 8-aligned, valid until the call returns. */
void *rpchost_scratch(size_t n);
/* The NUL-terminated strings given, joined; the list ends with NULL. */
const char *rpchost_concat(const char *first, ...) __attribute__((sentinel));
/* i in decimal. */
const char *rpchost_itoa(int64_t i);

/* --- host capabilities ------------------------------------------------ */
/* Each needs its grant (plugin.<name>.grants): a module that uses one it is
 * not granted is refused at load. Only the capabilities a module calls are
 * imported. */

typedef enum rpchost_status {
    RPCHOST_OK = 0,
    RPCHOST_NOT_FOUND = 1,
    RPCHOST_ERROR = -1 /* rpchost_error() says why */
} rpchost_status;

/* The message of the last RPCHOST_ERROR, valid until the call returns. */
const char *rpchost_error(void);

/* Log levels, as Go's log/slog. */
enum { RPCHOST_DEBUG = -4, RPCHOST_INFO = 0, RPCHOST_WARN = 4, RPCHOST_ERROR_LEVEL = 8 };

/* grant "log". attrs is a struct of attributes, or NULL. */
void rpchost_log(int level, const char *message);
void rpchost_log_attrs(int level, const char *message, const rpchost_value *attrs);

/*
 * grant "kv". Keys are NUL-terminated UTF-8 strings in the plugin's own
 * namespace. A value read is valid until the call returns (a NUL follows
 * it, not counted in len). Writes belong to the call: the host commits them
 * when the handler returns a value and discards them on a fault or trap.
 */
rpchost_status rpchost_kv_get(const char *key, const uint8_t **value, size_t *len);
rpchost_status rpchost_kv_put(const char *key, const void *value, size_t len);
rpchost_status rpchost_kv_delete(const char *key);
/* At most limit pairs whose keys start with prefix, in key order: an array
 * of [key string, value base64] arrays. */
rpchost_status rpchost_kv_scan(const char *prefix, int32_t limit, rpchost_value **pairs);

/* grant "config": plugin.<name>.config.<key>, or RPCHOST_NOT_FOUND. */
rpchost_status rpchost_config_get(const char *key, rpchost_value **value);

/* grant "time": the host's clock, in nanoseconds since the Unix epoch. */
int64_t rpchost_time_now(void);

#ifdef __cplusplus
}
#endif

#endif /* RPCHOST_H */
