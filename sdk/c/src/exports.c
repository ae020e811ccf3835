/*
 * The module's side of the ABI: the registry of methods, the four exports,
 * and the dispatch of a call to its handler.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct method {
    const char *name;
    size_t name_len;
    rpchost_handler handler;
    const char *help;
    size_t nsigs;
    char ***sigs; /* each a NULL-terminated list of type names */
} method;

static method *methods;
static size_t nmethods;
static bool set_up;
static rh_buf manifest; /* encoded once, after setup */
static uint8_t *inbuf;  /* rpchost_alloc's region */
static size_t incap;
static rh_buf out;      /* the Result of the last call */

static const char *const type_names[] = {"int", "i8", "boolean", "string", "double",
                                         "dateTime.iso8601", "base64", "struct", "array", "nil"};

static char *dup_n(const char *s, size_t n) {
    char *p = malloc(n + 1);
    if (p == NULL)
        rh_die("out of memory");
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

static _Noreturn void bad_register(const char *name, const char *why) {
    /* Runs during setup, before any call: the arena is free to use. */
    rh_die(rpchost_concat("rpchost_register(\"", name ? name : "(null)", "\"): ", why, NULL));
}

static bool name_byte(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == ':' || c == '/';
}

/* parse_signature splits "int, int int" into a NULL-terminated list. */
static char **parse_signature(const char *name, const char *sig) {
    size_t n = 0, cap = 4;
    char **types = malloc(cap * sizeof *types);
    if (types == NULL)
        rh_die("out of memory");
    for (const char *p = sig;;) {
        while (*p == ' ' || *p == ',' || *p == '\t')
            p++;
        if (*p == 0)
            break;
        const char *start = p;
        while (*p && *p != ' ' && *p != ',' && *p != '\t')
            p++;
        size_t len = (size_t)(p - start);
        bool known = false;
        for (size_t i = 0; i < sizeof type_names / sizeof *type_names; i++)
            if (strlen(type_names[i]) == len && memcmp(type_names[i], start, len) == 0)
                known = true;
        if (!known)
            bad_register(name, rpchost_concat("signature \"", sig, "\": \"", dup_n(start, len),
                                              "\" is not an XML-RPC type name (want one of int, i8, boolean, "
                                              "string, double, dateTime.iso8601, base64, struct, array, nil)",
                                              NULL));
        if (n + 2 > cap) {
            cap *= 2;
            types = realloc(types, cap * sizeof *types);
            if (types == NULL)
                rh_die("out of memory");
        }
        types[n++] = dup_n(start, len);
    }
    if (n == 0)
        bad_register(name, "a signature is empty: it needs at least the return type");
    types[n] = NULL;
    return types;
}

void rpchost_register(const char *name, rpchost_handler handler, const char *help, ...) {
    if (name == NULL || *name == 0)
        bad_register(name, "the method name is empty");
    size_t len = strlen(name);
    if (len > 256)
        bad_register(name, "a method name is at most 256 bytes");
    if (name[0] == '_')
        bad_register(name, "a method name must not start with \"_\"");
    for (size_t i = 0; i < len; i++)
        if (!name_byte(name[i]))
            bad_register(name, "a method name is made of A-Z a-z 0-9 _ . : /");
    if (handler == NULL)
        bad_register(name, "the handler is NULL");
    if (help != NULL && !rh_utf8_valid((const uint8_t *)help, strlen(help)))
        bad_register(name, "the help text is not valid UTF-8");
    for (size_t i = 0; i < nmethods; i++)
        if (strcmp(methods[i].name, name) == 0)
            bad_register(name, "the method is registered twice");

    method m = {dup_n(name, len), len, handler, help ? dup_n(help, strlen(help)) : "", 0, NULL};
    va_list ap;
    va_start(ap, help);
    for (const char *sig = va_arg(ap, const char *); sig != NULL; sig = va_arg(ap, const char *)) {
        m.sigs = realloc(m.sigs, (m.nsigs + 1) * sizeof *m.sigs);
        if (m.sigs == NULL)
            rh_die("out of memory");
        m.sigs[m.nsigs++] = parse_signature(name, sig);
    }
    va_end(ap);
    method *grown = realloc(methods, (nmethods + 1) * sizeof *methods);
    if (grown == NULL)
        rh_die("out of memory");
    methods = grown;
    methods[nmethods++] = m;
    manifest.len = 0;
}

static void setup(void) {
    if (!set_up) {
        set_up = true;
        rpchost_setup();
        rh_arena_reset();
    }
}

static int64_t packed(const uint8_t *p, size_t n) {
    return (int64_t)((uint64_t)(uintptr_t)p << 32 | (uint32_t)n);
}

__attribute__((export_name("rpchost_abi_version"))) int32_t rpchost__abi_version(void) {
    return RPCHOST_ABI_VERSION;
}

/* The host writes every call that fits into the last region, so one
 * buffer serves: it is replaced only when a larger one is asked for. */
__attribute__((export_name("rpchost_alloc"))) uint8_t *rpchost__alloc(int32_t size) {
    size_t n = size > 0 ? (size_t)size : 1;
    if (n > incap) {
        free(inbuf);
        inbuf = malloc(n);
        if (inbuf == NULL)
            rh_die("out of memory: rpchost_alloc");
        incap = n;
    }
    return inbuf;
}

__attribute__((export_name("rpchost_describe"))) int64_t rpchost__describe(void) {
    setup();
    if (manifest.len == 0) {
        rh_buf *b = &manifest;
        rh_write_map_header(b, 2);
        rh_write_str(b, "abi", 3);
        rh_write_int(b, RPCHOST_ABI_VERSION);
        rh_write_str(b, "methods", 7);
        rh_write_array_header(b, (uint32_t)nmethods);
        for (size_t i = 0; i < nmethods; i++) {
            method *m = &methods[i];
            rh_write_map_header(b, 3);
            rh_write_str(b, "name", 4);
            rh_write_str(b, m->name, m->name_len);
            rh_write_str(b, "help", 4);
            rh_write_str(b, m->help, strlen(m->help));
            rh_write_str(b, "signatures", 10);
            rh_write_array_header(b, (uint32_t)m->nsigs);
            for (size_t s = 0; s < m->nsigs; s++) {
                uint32_t n = 0;
                while (m->sigs[s][n])
                    n++;
                rh_write_array_header(b, n);
                for (uint32_t t = 0; t < n; t++)
                    rh_write_str(b, m->sigs[s][t], strlen(m->sigs[s][t]));
            }
        }
    }
    return packed(manifest.p, manifest.len);
}

static void write_fault(int32_t code, const char *message) {
    size_t n;
    message = rh_utf8_fix(message, strlen(message), &n);
    out.len = 0;
    rh_write_array_header(&out, 3);
    rh_buf_byte(&out, 1);
    rh_write_int(&out, code);
    rh_write_str(&out, message, n);
}

/* run decodes the Call in [p, p+n) and writes its Result to out. */
static void run(const uint8_t *p, size_t n) {
    rh_reader r = {p, p + n, NULL, p};
    uint32_t count;
    const char *name;
    size_t name_len;
    bool ok = rh_read_array_header(&r, &count);
    if (ok && count != 2) {
        r.err = "the Call is not an array of 2 items";
        ok = false;
    }
    if (!ok || !rh_read_str(&r, &name, &name_len) || !rh_read_array_header(&r, &count)) {
        write_fault(RPCHOST_INTERNAL_ERROR, rpchost_concat("guest cannot read the call: ", r.err, NULL));
        return;
    }
    rpchost_params params = {NULL, count, rh_arena_alloc(count * sizeof(rpchost_value *)), NULL};
    for (uint32_t i = 0; i < count; i++)
        if ((params.items[i] = rh_read_value(&r)) == NULL) {
            write_fault(RPCHOST_INTERNAL_ERROR, rpchost_concat("guest cannot read the call: ", r.err, NULL));
            return;
        }
    if (r.p != r.end) {
        write_fault(RPCHOST_INTERNAL_ERROR, "guest cannot read the call: bytes after its end");
        return;
    }
    method *m = NULL;
    for (size_t i = 0; i < nmethods && m == NULL; i++)
        if (methods[i].name_len == name_len && memcmp(methods[i].name, name, name_len) == 0)
            m = &methods[i];
    if (m == NULL) {
        /* name is valid UTF-8 (rh_read_str checked); it is not quoted with
         * escapes, as Go's strconv.Quote would, for names are plain. */
        write_fault(RPCHOST_METHOD_NOT_FOUND,
                    rpchost_concat("method \"", rpchost_string_n(name, name_len)->as.string.ptr, "\" not found",
                                   NULL));
        return;
    }
    params.method = m->name;
    rpchost_value *v = m->handler(&params);
    if (v == NULL) {
        write_fault(RPCHOST_INTERNAL_ERROR, rpchost_concat(m->name, " returned NULL (return rpchost_nil() "
                                                                    "for nil, or a fault)", NULL));
        return;
    }
    if (v->type == RPCHOST_FAULT) {
        write_fault(v->as.fault.code, v->as.fault.message);
        return;
    }
    out.len = 0;
    rh_write_array_header(&out, 2);
    rh_buf_byte(&out, 0);
    const char *err = rh_write_value(&out, v);
    if (err != NULL)
        write_fault(RPCHOST_INTERNAL_ERROR, rpchost_concat(m->name, ": result: ", err, NULL));
}

__attribute__((export_name("rpchost_call"))) int64_t rpchost__call(const uint8_t *p, int32_t n) {
    setup();
    rh_arena_reset();
    /* A result of megabytes should not pin its buffer for the life of the
     * instance. */
    if (out.cap > (1 << 20)) {
        free(out.p);
        out = (rh_buf){0};
    }
    size_t mem = __builtin_wasm_memory_size(0) * 65536;
    if (n < 0 || (uintptr_t)p > mem || (size_t)n > mem - (uintptr_t)p)
        write_fault(RPCHOST_INTERNAL_ERROR, "guest cannot read the call: region outside memory");
    else
        run(p, (size_t)n);
    return packed(out.p, out.len);
}

/* --- params ---------------------------------------------------------- */

static const char *count_of(size_t n) {
    return rpchost_concat(rpchost_itoa((int64_t)n), n == 1 ? " param" : " params", NULL);
}

bool rpchost_want(rpchost_params *p, size_t n) {
    if (p->len == n)
        return true;
    p->fault = rpchost_fault(RPCHOST_INVALID_PARAMS,
                             rpchost_concat(p->method ? p->method : "method", " takes ", count_of(n), ", got ",
                                            rpchost_itoa((int64_t)p->len), NULL));
    return false;
}

rpchost_value *rpchost_param(rpchost_params *p, size_t i) {
    if (i < p->len)
        return p->items[i];
    p->fault = rpchost_fault(RPCHOST_INVALID_PARAMS, rpchost_concat("param ", rpchost_itoa((int64_t)i + 1),
                                                                    ": missing (got ", count_of(p->len), ")", NULL));
    return NULL;
}

/* typed returns param i when it has type t, else NULL with the fault set. */
static rpchost_value *typed(rpchost_params *p, size_t i, rpchost_type t, const char *want) {
    rpchost_value *v = rpchost_param(p, i);
    if (v == NULL || v->type == t)
        return v;
    p->fault = rpchost_fault(RPCHOST_INVALID_PARAMS, rpchost_concat("param ", rpchost_itoa((int64_t)i + 1),
                                                                    ": want ", want, ", got ",
                                                                    rpchost_type_name(v), NULL));
    return NULL;
}

bool rpchost_param_int(rpchost_params *p, size_t i, int64_t *out_) {
    rpchost_value *v = typed(p, i, RPCHOST_INT, "int");
    if (v)
        *out_ = v->as.integer;
    return v != NULL;
}

bool rpchost_param_double(rpchost_params *p, size_t i, double *out_) {
    rpchost_value *v = rpchost_param(p, i);
    if (v && v->type == RPCHOST_INT) {
        *out_ = (double)v->as.integer;
        return true;
    }
    if (v)
        v = typed(p, i, RPCHOST_DOUBLE, "double");
    if (v)
        *out_ = v->as.number;
    return v != NULL;
}

bool rpchost_param_bool(rpchost_params *p, size_t i, bool *out_) {
    rpchost_value *v = typed(p, i, RPCHOST_BOOLEAN, "boolean");
    if (v)
        *out_ = v->as.boolean;
    return v != NULL;
}

bool rpchost_param_string(rpchost_params *p, size_t i, const char **out_, size_t *len) {
    rpchost_value *v = typed(p, i, RPCHOST_STRING, "string");
    if (v) {
        *out_ = v->as.string.ptr;
        if (len)
            *len = v->as.string.len;
    }
    return v != NULL;
}

bool rpchost_param_base64(rpchost_params *p, size_t i, const uint8_t **out_, size_t *len) {
    rpchost_value *v = typed(p, i, RPCHOST_BASE64, "base64");
    if (v) {
        *out_ = v->as.base64.ptr;
        if (len)
            *len = v->as.base64.len;
    }
    return v != NULL;
}

bool rpchost_param_datetime(rpchost_params *p, size_t i, int64_t *sec, uint32_t *nsec) {
    rpchost_value *v = typed(p, i, RPCHOST_DATETIME, "dateTime.iso8601");
    if (v) {
        *sec = v->as.datetime.sec;
        if (nsec)
            *nsec = v->as.datetime.nsec;
    }
    return v != NULL;
}

bool rpchost_param_array(rpchost_params *p, size_t i, rpchost_value **out_) {
    rpchost_value *v = typed(p, i, RPCHOST_ARRAY, "array");
    if (v)
        *out_ = v;
    return v != NULL;
}

bool rpchost_param_struct(rpchost_params *p, size_t i, rpchost_value **out_) {
    rpchost_value *v = typed(p, i, RPCHOST_STRUCT, "struct");
    if (v)
        *out_ = v;
    return v != NULL;
}
