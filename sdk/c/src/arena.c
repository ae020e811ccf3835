/*
 * The call's arena: every value, string and buffer made during a call is
 * carved from it, and it is emptied when the next call begins (see
 * RATIONALE.md, "The C SDK allocates from an arena per call"). Its first
 * chunk is kept from call to call; larger ones go back to malloc.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

enum { FIRST_CHUNK = 64 << 10 };

typedef struct chunk {
    struct chunk *next;
    size_t size, used;
    _Alignas(8) uint8_t data[];
} chunk;

/* The chunk being filled is first; the kept one is last. */
static chunk *chunks;

const char *rh_last_error = "";

/* One write, so that the host logs the message as one line. */
_Noreturn void rh_die(const char *message) {
    static const char prefix[] = "rpchost guest: ";
    char line[1024];
    size_t n = strlen(message);
    if (n > sizeof line - sizeof prefix)
        n = sizeof line - sizeof prefix;
    memcpy(line, prefix, sizeof prefix - 1);
    memcpy(line + sizeof prefix - 1, message, n);
    line[sizeof prefix - 1 + n] = '\n';
    write(2, line, sizeof prefix + n);
    __builtin_trap();
}

static chunk *new_chunk(size_t size) {
    chunk *c = malloc(sizeof(chunk) + size);
    if (c == NULL)
        rh_die("out of memory");
    c->size = size;
    c->used = 0;
    return c;
}

void *rh_arena_alloc(size_t n) {
    n = (n + 7) & ~(size_t)7;
    if (n == 0)
        n = 8;
    if (chunks == NULL)
        chunks = new_chunk(FIRST_CHUNK), chunks->next = NULL;
    if (chunks->size - chunks->used < n) {
        /* A new chunk at least twice the last, so that a call making many
         * small values needs few; a large request gets its own. */
        size_t size = chunks->size * 2;
        if (size < n)
            size = n;
        if (size < n || size > SIZE_MAX / 2)
            rh_die("out of memory");
        chunk *c = new_chunk(size);
        c->next = chunks;
        chunks = c;
    }
    void *p = chunks->data + chunks->used;
    chunks->used += n;
    return p;
}

void rh_arena_reset(void) {
    rh_last_error = "";
    while (chunks != NULL && chunks->next != NULL) {
        chunk *next = chunks->next;
        free(chunks);
        chunks = next;
    }
    if (chunks != NULL)
        chunks->used = 0;
}

void *rpchost_scratch(size_t n) { return rh_arena_alloc(n); }

void rh_buf_reserve(rh_buf *b, size_t n) {
    if (b->cap - b->len >= n)
        return;
    size_t cap = b->cap ? b->cap * 2 : 256;
    while (cap - b->len < n) {
        if (cap > SIZE_MAX / 2)
            rh_die("out of memory");
        cap *= 2;
    }
    uint8_t *p = realloc(b->p, cap);
    if (p == NULL)
        rh_die("out of memory");
    b->p = p;
    b->cap = cap;
}

void rh_buf_put(rh_buf *b, const void *p, size_t n) {
    rh_buf_reserve(b, n);
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
}

void rh_buf_byte(rh_buf *b, uint8_t c) {
    rh_buf_reserve(b, 1);
    b->p[b->len++] = c;
}
