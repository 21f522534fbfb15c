/*
 * buf.c - growable byte buffers, the only dynamic memory the runtime uses.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int gg_buf_append(gg_buf *b, const void *p, size_t n) {
    if (n > (size_t)-1 - b->len - 1) {
        return -1; /* the size would overflow */
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        char *data;
        while (cap < b->len + n + 1) {
            cap = cap > (size_t)-1 / 2 ? b->len + n + 1 : cap * 2;
        }
        data = (char *)realloc(b->data, cap);
        if (data == NULL) {
            return -1;
        }
        b->data = data;
        b->cap = cap;
    }
    if (n > 0) {
        memcpy(b->data + b->len, p, n);
    }
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int gg_buf_append_str(gg_buf *b, const char *s) {
    return gg_buf_append(b, s, strlen(s));
}

void gg_buf_free(gg_buf *b) {
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

size_t gg_buf_read(const gg_buf *b, size_t *off, void *dst, size_t cap) {
    size_t n = b->len - *off;
    if (n > cap) {
        n = cap;
    }
    if (n > 0) {
        memcpy(dst, b->data + *off, n);
    }
    *off += n;
    return n;
}
