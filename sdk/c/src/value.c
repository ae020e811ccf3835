/* Values: constructors, accessors, faults and the call-scoped string
 * helpers. Everything lives in the call's arena. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static rpchost_value *make(rpchost_type t) {
    rpchost_value *v = rh_arena_alloc(sizeof *v);
    memset(v, 0, sizeof *v);
    v->type = t;
    return v;
}

const char *rpchost_type_name(const rpchost_value *v) {
    static const char *const names[] = {
        [RPCHOST_NIL] = "nil",         [RPCHOST_BOOLEAN] = "boolean", [RPCHOST_INT] = "int",
        [RPCHOST_DOUBLE] = "double",   [RPCHOST_STRING] = "string",   [RPCHOST_BASE64] = "base64",
        [RPCHOST_DATETIME] = "dateTime.iso8601", [RPCHOST_ARRAY] = "array", [RPCHOST_STRUCT] = "struct",
        [RPCHOST_FAULT] = "fault",
    };
    if (v == NULL)
        return "nothing";
    if ((unsigned)v->type > RPCHOST_FAULT)
        return "unknown";
    return names[v->type];
}

rpchost_value *rpchost_nil(void) { return make(RPCHOST_NIL); }

rpchost_value *rpchost_bool(bool b) {
    rpchost_value *v = make(RPCHOST_BOOLEAN);
    v->as.boolean = b;
    return v;
}

rpchost_value *rpchost_int(int64_t i) {
    rpchost_value *v = make(RPCHOST_INT);
    v->as.integer = i;
    return v;
}

rpchost_value *rpchost_double(double d) {
    rpchost_value *v = make(RPCHOST_DOUBLE);
    v->as.number = d;
    return v;
}

rpchost_value *rpchost_string_n(const char *s, size_t len) {
    rpchost_value *v = make(RPCHOST_STRING);
    char *p = rh_arena_alloc(len + 1);
    if (len)
        memcpy(p, s, len);
    p[len] = 0;
    v->as.string.ptr = p;
    v->as.string.len = len;
    return v;
}

rpchost_value *rpchost_string(const char *s) { return rpchost_string_n(s, strlen(s)); }

rpchost_value *rpchost_base64(const void *data, size_t len) {
    rpchost_value *v = make(RPCHOST_BASE64);
    uint8_t *p = rh_arena_alloc(len);
    if (len)
        memcpy(p, data, len);
    v->as.base64.ptr = p;
    v->as.base64.len = len;
    return v;
}

rpchost_value *rpchost_datetime(int64_t sec, uint32_t nsec) {
    rpchost_value *v = make(RPCHOST_DATETIME);
    v->as.datetime.sec = sec;
    v->as.datetime.nsec = nsec;
    return v;
}

/* days_from_civil is Howard Hinnant's algorithm: days since 1970-01-01 of
 * a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

rpchost_value *rpchost_datetime_utc(int year, int month, int day, int hour, int minute, int second,
                                    uint32_t nsec) {
    int64_t days = days_from_civil(year, month, day);
    return rpchost_datetime(days * 86400 + hour * 3600 + minute * 60 + second, nsec);
}

rpchost_value *rpchost_datetime_ns(int64_t ns) {
    int64_t sec = ns / 1000000000, rem = ns % 1000000000;
    if (rem < 0)
        sec--, rem += 1000000000;
    return rpchost_datetime(sec, (uint32_t)rem);
}

rpchost_value *rpchost_array(void) { return make(RPCHOST_ARRAY); }

rpchost_value *rpchost_array_push(rpchost_value *a, rpchost_value *item) {
    if (a->as.array.len == a->as.array.cap) {
        size_t cap = a->as.array.cap ? a->as.array.cap * 2 : 8;
        rpchost_value **items = rh_arena_alloc(cap * sizeof *items);
        if (a->as.array.len)
            memcpy(items, a->as.array.items, a->as.array.len * sizeof *items);
        a->as.array.items = items;
        a->as.array.cap = cap;
    }
    a->as.array.items[a->as.array.len++] = item;
    return a;
}

rpchost_value *rpchost_array_at(const rpchost_value *a, size_t i) {
    if (a == NULL || a->type != RPCHOST_ARRAY || i >= a->as.array.len)
        return NULL;
    return a->as.array.items[i];
}

rpchost_value *rpchost_struct(void) { return make(RPCHOST_STRUCT); }

static rpchost_member *find(const rpchost_value *s, const char *name, size_t n) {
    for (size_t i = 0; i < s->as.structure.len; i++) {
        rpchost_member *m = &s->as.structure.members[i];
        if (m->name_len == n && memcmp(m->name, name, n) == 0)
            return m;
    }
    return NULL;
}

rpchost_value *rpchost_struct_set(rpchost_value *s, const char *name, rpchost_value *value) {
    size_t n = strlen(name);
    rpchost_member *m = find(s, name, n);
    if (m != NULL) {
        m->value = value;
        return s;
    }
    if (s->as.structure.len == s->as.structure.cap) {
        size_t cap = s->as.structure.cap ? s->as.structure.cap * 2 : 8;
        rpchost_member *ms = rh_arena_alloc(cap * sizeof *ms);
        if (s->as.structure.len)
            memcpy(ms, s->as.structure.members, s->as.structure.len * sizeof *ms);
        s->as.structure.members = ms;
        s->as.structure.cap = cap;
    }
    m = &s->as.structure.members[s->as.structure.len++];
    char *copy = rh_arena_alloc(n + 1);
    memcpy(copy, name, n + 1);
    m->name = copy;
    m->name_len = n;
    m->value = value;
    return s;
}

rpchost_value *rpchost_struct_get(const rpchost_value *s, const char *name) {
    if (s == NULL || s->type != RPCHOST_STRUCT)
        return NULL;
    rpchost_member *m = find(s, name, strlen(name));
    return m ? m->value : NULL;
}

/* --- faults ---------------------------------------------------------- */

rpchost_value *rpchost_fault(int32_t code, const char *message) {
    rpchost_value *v = make(RPCHOST_FAULT);
    size_t n;
    v->as.fault.code = code;
    /* A message must be valid UTF-8 on the wire: repair rather than lose it. */
    v->as.fault.message = rh_utf8_fix(message ? message : "", message ? strlen(message) : 0, &n);
    return v;
}

rpchost_value *rpchost_faultf(int32_t code, const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(NULL, 0, format, ap);
    va_end(ap);
    if (n < 0)
        return rpchost_fault(code, format);
    char *msg = rh_arena_alloc((size_t)n + 1);
    va_start(ap, format);
    vsnprintf(msg, (size_t)n + 1, format, ap);
    va_end(ap);
    return rpchost_fault(code, msg);
}

bool rpchost_is_fault(const rpchost_value *v) { return v != NULL && v->type == RPCHOST_FAULT; }

/* --- strings --------------------------------------------------------- */

const char *rpchost_concat(const char *first, ...) {
    va_list ap;
    size_t n = 0;
    va_start(ap, first);
    for (const char *s = first; s != NULL; s = va_arg(ap, const char *))
        n += strlen(s);
    va_end(ap);
    char *out = rh_arena_alloc(n + 1), *o = out;
    va_start(ap, first);
    for (const char *s = first; s != NULL; s = va_arg(ap, const char *)) {
        size_t l = strlen(s);
        memcpy(o, s, l);
        o += l;
    }
    va_end(ap);
    *o = 0;
    return out;
}

const char *rpchost_itoa(int64_t i) {
    char tmp[24], *p = tmp + sizeof tmp;
    uint64_t u = i < 0 ? -(uint64_t)i : (uint64_t)i;
    *--p = 0;
    do
        *--p = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (i < 0)
        *--p = '-';
    size_t n = (size_t)(tmp + sizeof tmp - p);
    char *out = rh_arena_alloc(n);
    memcpy(out, p, n);
    return out;
}
