/* Internal declarations shared by the SDK's files; not for plugins. */
#ifndef RPCHOST_INTERNAL_H
#define RPCHOST_INTERNAL_H

#include "rpchost.h"

/* A growable byte buffer on malloc. */
typedef struct rh_buf {
    uint8_t *p;
    size_t len, cap;
} rh_buf;

void rh_buf_reserve(rh_buf *b, size_t n);
void rh_buf_put(rh_buf *b, const void *p, size_t n);
void rh_buf_byte(rh_buf *b, uint8_t c);

/* The call's arena (arena.c). */
void *rh_arena_alloc(size_t n);
void rh_arena_reset(void);
/* The message rpchost_error returns; reset with the arena it lives in. */
extern const char *rh_last_error;

/* Writes message and a newline to stderr, then traps. */
_Noreturn void rh_die(const char *message);

/* UTF-8 (utf8.c). */
bool rh_utf8_valid(const uint8_t *p, size_t n);
/* Copies s into the arena, each invalid sequence replaced by U+FFFD. */
const char *rh_utf8_fix(const char *s, size_t n, size_t *out_len);

/* MessagePack (msgpack.c). */
typedef struct rh_reader {
    const uint8_t *p, *end;
    const char *err; /* why decoding stopped; NULL while all is well */
    const uint8_t *start;
} rh_reader;

/* Decodes one value (nested at most RPCHOST_MAX_DEPTH deep) into the arena;
 * NULL with r->err set when the bytes are not a valid value. */
rpchost_value *rh_read_value(rh_reader *r);
/* Reads an array or map header; false with r->err set otherwise. */
bool rh_read_array_header(rh_reader *r, uint32_t *n);
bool rh_read_str(rh_reader *r, const char **s, size_t *n);

void rh_write_array_header(rh_buf *b, uint32_t n);
void rh_write_map_header(rh_buf *b, uint32_t n);
void rh_write_int(rh_buf *b, int64_t i);
void rh_write_str(rh_buf *b, const char *s, size_t n);
/* Encodes v; returns NULL, or why v cannot be encoded (the buffer then
 * holds a partial encoding). */
const char *rh_write_value(rh_buf *b, const rpchost_value *v);

#endif
