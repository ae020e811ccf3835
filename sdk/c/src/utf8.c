/* UTF-8 as the MessagePack specification requires of str, and as Go's
 * utf8.Valid checks it: no overlong forms, no surrogates, nothing above
 * U+10FFFF. */
#include <string.h>

#include "internal.h"

/* The length of the valid sequence at p (of n bytes), or 0. */
static size_t seq(const uint8_t *p, size_t n) {
    uint8_t c = p[0];
    if (c < 0x80)
        return 1;
    size_t len;
    uint8_t lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (n < len || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

bool rh_utf8_valid(const uint8_t *p, size_t n) {
    size_t i = 0;
    while (i < n) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        size_t l = seq(p + i, n - i);
        if (l == 0)
            return false;
        i += l;
    }
    return true;
}

const char *rh_utf8_fix(const char *s, size_t n, size_t *out_len) {
    const uint8_t *p = (const uint8_t *)s;
    uint8_t *out = rh_arena_alloc(n * 3 + 1), *o = out;
    size_t i = 0;
    while (i < n) {
        size_t l = seq(p + i, n - i);
        if (l == 0) {
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        } else {
            memcpy(o, p + i, l);
            o += l;
            i += l;
        }
    }
    *o = 0;
    *out_len = (size_t)(o - out);
    return (const char *)out;
}
