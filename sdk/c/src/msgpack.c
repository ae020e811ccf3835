/*
 * The MessagePack subset of abi/doc.go ("Encoding"): decoding checks
 * everything the ABI calls invalid, so that a malformed message from the
 * host becomes a fault, never a read outside the message; encoding writes
 * the shortest integer forms and float 64.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* --- reading --------------------------------------------------------- */

static bool fail(rh_reader *r, const char *why) {
    if (r->err == NULL) {
        size_t at = (size_t)(r->p - r->start);
        r->err = rpchost_concat("malformed MessagePack at byte ", rpchost_itoa((int64_t)at), ": ", why, NULL);
    }
    return false;
}

static bool need(rh_reader *r, size_t n) {
    if ((size_t)(r->end - r->p) < n)
        return fail(r, "unexpected end");
    return true;
}

static uint64_t be(const uint8_t *p, int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* Reads an n-byte big-endian length. */
static bool read_len(rh_reader *r, int n, size_t *out) {
    if (!need(r, (size_t)n))
        return false;
    *out = (size_t)be(r->p, n);
    r->p += n;
    return true;
}

bool rh_read_str(rh_reader *r, const char **s, size_t *n) {
    if (!need(r, 1))
        return false;
    uint8_t c = *r->p++;
    size_t len;
    if ((c & 0xE0) == 0xA0)
        len = c & 0x1F;
    else if (c == 0xD9 || c == 0xDA || c == 0xDB) {
        if (!read_len(r, c == 0xD9 ? 1 : c == 0xDA ? 2 : 4, &len))
            return false;
    } else {
        r->p--;
        return fail(r, "want a string");
    }
    if (!need(r, len))
        return false;
    if (!rh_utf8_valid(r->p, len))
        return fail(r, "string is not valid UTF-8");
    *s = (const char *)r->p;
    *n = len;
    r->p += len;
    return true;
}

bool rh_read_array_header(rh_reader *r, uint32_t *n) {
    if (!need(r, 1))
        return false;
    uint8_t c = *r->p++;
    size_t len;
    if ((c & 0xF0) == 0x90)
        len = c & 0x0F;
    else if (c == 0xDC || c == 0xDD) {
        if (!read_len(r, c == 0xDC ? 2 : 4, &len))
            return false;
    } else {
        r->p--;
        return fail(r, "want an array");
    }
    /* Each item takes a byte at least: a count beyond what is left is a
     * lie, refused before anything is allocated for it. */
    if (len > (size_t)(r->end - r->p))
        return fail(r, "array longer than the message");
    *n = (uint32_t)len;
    return true;
}

static char *copy_str(const uint8_t *p, size_t n) {
    char *s = rh_arena_alloc(n + 1);
    memcpy(s, p, n);
    s[n] = 0;
    return s;
}

static rpchost_value *new_value(rpchost_type t) {
    rpchost_value *v = rh_arena_alloc(sizeof *v);
    memset(v, 0, sizeof *v);
    v->type = t;
    return v;
}

static int cmp_member(const void *a, const void *b) {
    const rpchost_member *x = *(rpchost_member *const *)a, *y = *(rpchost_member *const *)b;
    size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
    int c = memcmp(x->name, y->name, n);
    if (c != 0)
        return c;
    return x->name_len < y->name_len ? -1 : x->name_len > y->name_len;
}

static bool same_name(const rpchost_member *a, const rpchost_member *b) {
    return a->name_len == b->name_len && memcmp(a->name, b->name, a->name_len) == 0;
}

/* has_duplicate reports whether two members of m share a name. */
static bool has_duplicate(rpchost_member *m, size_t n) {
    if (n <= 16) {
        for (size_t i = 1; i < n; i++)
            for (size_t j = 0; j < i; j++)
                if (same_name(&m[i], &m[j]))
                    return true;
        return false;
    }
    rpchost_member **sorted = rh_arena_alloc(n * sizeof *sorted);
    for (size_t i = 0; i < n; i++)
        sorted[i] = &m[i];
    qsort(sorted, n, sizeof *sorted, cmp_member);
    for (size_t i = 1; i < n; i++)
        if (same_name(sorted[i - 1], sorted[i]))
            return true;
    return false;
}

static rpchost_value *read_timestamp(rh_reader *r, size_t len) {
    if (!need(r, 1 + len))
        return NULL;
    if ((int8_t)r->p[0] != -1) {
        fail(r, "extension type other than timestamp (-1)");
        return NULL;
    }
    const uint8_t *d = r->p + 1;
    int64_t sec;
    uint64_t nsec;
    if (len == 4) {
        sec = (int64_t)be(d, 4);
        nsec = 0;
    } else if (len == 8) {
        uint64_t x = be(d, 8);
        nsec = x >> 34;
        sec = (int64_t)(x & 0x3FFFFFFFFULL);
    } else if (len == 12) {
        nsec = be(d, 4);
        sec = (int64_t)be(d + 4, 8);
    } else {
        fail(r, "timestamp of a length other than 4, 8 or 12");
        return NULL;
    }
    if (nsec >= 1000000000) {
        fail(r, "timestamp with 10^9 nanoseconds or more");
        return NULL;
    }
    r->p += 1 + len;
    rpchost_value *v = new_value(RPCHOST_DATETIME);
    v->as.datetime.sec = sec;
    v->as.datetime.nsec = (uint32_t)nsec;
    return v;
}

static rpchost_value *read_value_at(rh_reader *r, int depth);

static rpchost_value *read_array(rh_reader *r, size_t n, int depth) {
    if (depth >= RPCHOST_MAX_DEPTH) {
        fail(r, "arrays and structs nest deeper than 128");
        return NULL;
    }
    if (n > (size_t)(r->end - r->p)) {
        fail(r, "array longer than the message");
        return NULL;
    }
    rpchost_value *v = new_value(RPCHOST_ARRAY);
    v->as.array.items = rh_arena_alloc(n * sizeof(rpchost_value *));
    v->as.array.len = v->as.array.cap = n;
    for (size_t i = 0; i < n; i++)
        if ((v->as.array.items[i] = read_value_at(r, depth + 1)) == NULL)
            return NULL;
    return v;
}

static rpchost_value *read_map(rh_reader *r, size_t n, int depth) {
    if (depth >= RPCHOST_MAX_DEPTH) {
        fail(r, "arrays and structs nest deeper than 128");
        return NULL;
    }
    if (n > (size_t)(r->end - r->p) / 2) {
        fail(r, "map longer than the message");
        return NULL;
    }
    rpchost_value *v = new_value(RPCHOST_STRUCT);
    rpchost_member *m = rh_arena_alloc(n * sizeof *m);
    v->as.structure.members = m;
    v->as.structure.len = v->as.structure.cap = n;
    for (size_t i = 0; i < n; i++) {
        const char *s;
        size_t len;
        if (!need(r, 1))
            return NULL;
        uint8_t c = *r->p;
        if (!((c & 0xE0) == 0xA0 || c == 0xD9 || c == 0xDA || c == 0xDB)) {
            fail(r, "map key is not a string");
            return NULL;
        }
        if (!rh_read_str(r, &s, &len))
            return NULL;
        m[i].name = copy_str((const uint8_t *)s, len);
        m[i].name_len = len;
        if ((m[i].value = read_value_at(r, depth + 1)) == NULL)
            return NULL;
    }
    if (has_duplicate(m, n)) {
        fail(r, "map with a duplicate key");
        return NULL;
    }
    return v;
}

static rpchost_value *read_value_at(rh_reader *r, int depth) {
    if (!need(r, 1))
        return NULL;
    const uint8_t *at = r->p;
    uint8_t c = *r->p++;
    size_t n;
    rpchost_value *v;
    if (c <= 0x7F || c >= 0xE0) {
        v = new_value(RPCHOST_INT);
        v->as.integer = (int8_t)c;
        if (c <= 0x7F)
            v->as.integer = c;
        return v;
    }
    if ((c & 0xF0) == 0x80)
        return read_map(r, c & 0x0F, depth);
    if ((c & 0xF0) == 0x90)
        return read_array(r, c & 0x0F, depth);
    if ((c & 0xE0) == 0xA0 || c == 0xD9 || c == 0xDA || c == 0xDB) {
        const char *s;
        r->p = at;
        if (!rh_read_str(r, &s, &n))
            return NULL;
        v = new_value(RPCHOST_STRING);
        v->as.string.ptr = copy_str((const uint8_t *)s, n);
        v->as.string.len = n;
        return v;
    }
    switch (c) {
    case 0xC0:
        return new_value(RPCHOST_NIL);
    case 0xC2:
    case 0xC3:
        v = new_value(RPCHOST_BOOLEAN);
        v->as.boolean = c == 0xC3;
        return v;
    case 0xC4:
    case 0xC5:
    case 0xC6:
        if (!read_len(r, c == 0xC4 ? 1 : c == 0xC5 ? 2 : 4, &n) || !need(r, n))
            return NULL;
        v = new_value(RPCHOST_BASE64);
        /* The call's bytes stay put until the call returns: no copy. */
        v->as.base64.ptr = r->p;
        v->as.base64.len = n;
        r->p += n;
        return v;
    case 0xCA:
    case 0xCB: {
        if (!need(r, c == 0xCA ? 4 : 8))
            return NULL;
        v = new_value(RPCHOST_DOUBLE);
        if (c == 0xCA) {
            uint32_t bits = (uint32_t)be(r->p, 4);
            float f;
            memcpy(&f, &bits, 4);
            v->as.number = f;
            r->p += 4;
        } else {
            uint64_t bits = be(r->p, 8);
            memcpy(&v->as.number, &bits, 8);
            r->p += 8;
        }
        return v;
    }
    case 0xCC:
    case 0xCD:
    case 0xCE:
    case 0xCF: {
        int w = 1 << (c - 0xCC);
        if (!need(r, (size_t)w))
            return NULL;
        uint64_t u = be(r->p, w);
        if (u > INT64_MAX) {
            fail(r, "unsigned integer above 2^63-1");
            return NULL;
        }
        r->p += w;
        v = new_value(RPCHOST_INT);
        v->as.integer = (int64_t)u;
        return v;
    }
    case 0xD0:
    case 0xD1:
    case 0xD2:
    case 0xD3: {
        int w = 1 << (c - 0xD0);
        if (!need(r, (size_t)w))
            return NULL;
        uint64_t u = be(r->p, w);
        r->p += w;
        v = new_value(RPCHOST_INT);
        int shift = 64 - 8 * w;
        v->as.integer = (int64_t)(u << shift) >> shift; /* sign-extend */
        return v;
    }
    case 0xD6:
        return read_timestamp(r, 4);
    case 0xD7:
        return read_timestamp(r, 8);
    case 0xC7:
        if (!read_len(r, 1, &n))
            return NULL;
        if (n != 12) {
            r->p = at;
            fail(r, "ext 8 other than a 12-byte timestamp");
            return NULL;
        }
        return read_timestamp(r, 12);
    case 0xDC:
    case 0xDD:
        if (!read_len(r, c == 0xDC ? 2 : 4, &n))
            return NULL;
        return read_array(r, n, depth);
    case 0xDE:
    case 0xDF:
        if (!read_len(r, c == 0xDE ? 2 : 4, &n))
            return NULL;
        return read_map(r, n, depth);
    }
    r->p = at;
    fail(r, "type outside the value model (an extension, or 0xc1)");
    return NULL;
}

rpchost_value *rh_read_value(rh_reader *r) { return read_value_at(r, 0); }

/* --- writing --------------------------------------------------------- */

static void put_be(rh_buf *b, uint8_t tag, uint64_t v, int n) {
    rh_buf_reserve(b, 1 + (size_t)n);
    b->p[b->len++] = tag;
    for (int i = n - 1; i >= 0; i--)
        b->p[b->len++] = (uint8_t)(v >> (8 * i));
}

void rh_write_int(rh_buf *b, int64_t i) {
    if (i >= 0) {
        if (i < 128)
            rh_buf_byte(b, (uint8_t)i);
        else if (i < 256)
            put_be(b, 0xCC, (uint64_t)i, 1);
        else if (i < 65536)
            put_be(b, 0xCD, (uint64_t)i, 2);
        else if (i <= 0xFFFFFFFFLL)
            put_be(b, 0xCE, (uint64_t)i, 4);
        else
            put_be(b, 0xCF, (uint64_t)i, 8);
    } else if (i >= -32)
        rh_buf_byte(b, (uint8_t)(int8_t)i);
    else if (i >= -128)
        put_be(b, 0xD0, (uint8_t)(int8_t)i, 1);
    else if (i >= -32768)
        put_be(b, 0xD1, (uint16_t)(int16_t)i, 2);
    else if (i >= INT32_MIN)
        put_be(b, 0xD2, (uint32_t)(int32_t)i, 4);
    else
        put_be(b, 0xD3, (uint64_t)i, 8);
}

static void header(rh_buf *b, uint8_t fix, uint8_t fixmax, uint8_t t8, uint8_t t16, uint8_t t32, size_t n) {
    if (n <= fixmax)
        rh_buf_byte(b, (uint8_t)(fix | n));
    else if (t8 && n < 256)
        put_be(b, t8, n, 1);
    else if (n < 65536)
        put_be(b, t16, n, 2);
    else
        put_be(b, t32, n, 4);
}

void rh_write_array_header(rh_buf *b, uint32_t n) { header(b, 0x90, 15, 0, 0xDC, 0xDD, n); }
void rh_write_map_header(rh_buf *b, uint32_t n) { header(b, 0x80, 15, 0, 0xDE, 0xDF, n); }

void rh_write_str(rh_buf *b, const char *s, size_t n) {
    header(b, 0xA0, 31, 0xD9, 0xDA, 0xDB, n);
    rh_buf_put(b, s, n);
}

static const char *write_value_at(rh_buf *b, const rpchost_value *v, int depth) {
    if (v == NULL)
        return "a NULL value";
    switch (v->type) {
    case RPCHOST_NIL:
        rh_buf_byte(b, 0xC0);
        return NULL;
    case RPCHOST_BOOLEAN:
        rh_buf_byte(b, v->as.boolean ? 0xC3 : 0xC2);
        return NULL;
    case RPCHOST_INT:
        rh_write_int(b, v->as.integer);
        return NULL;
    case RPCHOST_DOUBLE: {
        if (!isfinite(v->as.number))
            return "a double that is not finite (XML-RPC cannot carry NaN or infinities)";
        uint64_t bits;
        memcpy(&bits, &v->as.number, 8);
        put_be(b, 0xCB, bits, 8);
        return NULL;
    }
    case RPCHOST_STRING:
        if (v->as.string.len > 0xFFFFFFFFu)
            return "a string longer than 4 GiB";
        if (!rh_utf8_valid((const uint8_t *)v->as.string.ptr, v->as.string.len))
            return "a string that is not valid UTF-8";
        rh_write_str(b, v->as.string.ptr, v->as.string.len);
        return NULL;
    case RPCHOST_BASE64:
        if (v->as.base64.len > 0xFFFFFFFFu)
            return "a base64 value longer than 4 GiB";
        header(b, 0, 0, 0xC4, 0xC5, 0xC6, v->as.base64.len);
        /* header() writes fix|0 for n == 0, which is not a bin tag. */
        if (v->as.base64.len == 0) {
            b->len--;
            put_be(b, 0xC4, 0, 1);
        }
        rh_buf_put(b, v->as.base64.ptr, v->as.base64.len);
        return NULL;
    case RPCHOST_DATETIME: {
        int64_t sec = v->as.datetime.sec;
        uint32_t nsec = v->as.datetime.nsec;
        if (nsec >= 1000000000)
            return "a datetime with 10^9 nanoseconds or more";
        if (nsec == 0 && sec >= 0 && sec <= 0xFFFFFFFFLL) {
            put_be(b, 0xD6, 0xFF, 1);
            put_be(b, (uint8_t)(sec >> 24), (uint64_t)sec & 0xFFFFFF, 3);
        } else if (sec >= 0 && sec < (1LL << 34)) {
            put_be(b, 0xD7, 0xFF, 1);
            uint64_t x = (uint64_t)nsec << 34 | (uint64_t)sec;
            put_be(b, (uint8_t)(x >> 56), x & 0xFFFFFFFFFFFFFFULL, 7);
        } else {
            put_be(b, 0xC7, 12, 1);
            put_be(b, 0xFF, nsec, 4);
            put_be(b, (uint8_t)((uint64_t)sec >> 56), (uint64_t)sec & 0xFFFFFFFFFFFFFFULL, 7);
        }
        return NULL;
    }
    case RPCHOST_ARRAY:
        if (depth >= RPCHOST_MAX_DEPTH)
            return "arrays and structs nested deeper than 128";
        if (v->as.array.len > 0xFFFFFFFFu)
            return "an array too long";
        rh_write_array_header(b, (uint32_t)v->as.array.len);
        for (size_t i = 0; i < v->as.array.len; i++) {
            const char *err = write_value_at(b, v->as.array.items[i], depth + 1);
            if (err)
                return err;
        }
        return NULL;
    case RPCHOST_STRUCT:
        if (depth >= RPCHOST_MAX_DEPTH)
            return "arrays and structs nested deeper than 128";
        if (v->as.structure.len > 0xFFFFFFFFu)
            return "a struct too long";
        rh_write_map_header(b, (uint32_t)v->as.structure.len);
        for (size_t i = 0; i < v->as.structure.len; i++) {
            const rpchost_member *m = &v->as.structure.members[i];
            if (!rh_utf8_valid((const uint8_t *)m->name, m->name_len))
                return "a member name that is not valid UTF-8";
            rh_write_str(b, m->name, m->name_len);
            const char *err = write_value_at(b, m->value, depth + 1);
            if (err)
                return err;
        }
        return NULL;
    case RPCHOST_FAULT:
        return "a fault inside a value (return it from the handler instead)";
    }
    return "a value of an unknown type";
}

const char *rh_write_value(rh_buf *b, const rpchost_value *v) { return write_value_at(b, v, 0); }
