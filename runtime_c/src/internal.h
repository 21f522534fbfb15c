/*
 * internal.h - shared declarations of the runtime's modules; not installed.
 *
 *   buf.c      growable byte buffers
 *   encode.c   base64 and the bits of JSON the runtime writes and inspects
 *   http.c     HTTP/1.1 response parsing (pure, fuzzed) and one request/response exchange
 *   log.c      gg_log
 *   runtime.c  gg_global_init, configuration, SIGTERM, the work loop, handler I/O
 *   request.c  gg_request and the calls to the core (invoke, publish, shadow, secrets)
 */
#ifndef GG_INTERNAL_H
#define GG_INTERNAL_H

#include <stddef.h>

#include "greengrasssdk.h"

/* Exported symbols carry default visibility; everything else is hidden (-fvisibility=hidden). */
#define GG_API __attribute__((visibility("default")))

/* The largest body the runtime accepts from the core: Lambda's own payload limit is 6 MB. */
#define GG_MAX_BODY (16u * 1024u * 1024u)
/* The largest response head (status line and headers) it accepts. */
#define GG_MAX_HEAD (64u * 1024u)

/* ---- buf.c ---------------------------------------------------------------------------- */

/* A growable byte buffer; data is always NUL-terminated when non-NULL, len excludes the NUL. */
typedef struct gg_buf {
    char *data;
    size_t len;
    size_t cap;
} gg_buf;

/* Append n bytes; returns 0, or -1 when out of memory (the buffer is unchanged). */
int gg_buf_append(gg_buf *b, const void *p, size_t n);
int gg_buf_append_str(gg_buf *b, const char *s);
void gg_buf_free(gg_buf *b);
/* Copy up to cap bytes of b from *off into dst, advance *off; returns the count copied. */
size_t gg_buf_read(const gg_buf *b, size_t *off, void *dst, size_t cap);

/* ---- encode.c ------------------------------------------------------------------------- */

/* Append the base64 encoding of in[0..n). */
int gg_base64_encode(gg_buf *out, const void *in, size_t n);
/* Append the decoding of a base64 text; -1 if the text is not valid base64 or on OOM. */
int gg_base64_decode(gg_buf *out, const char *in, size_t n);
/* Nonzero when s is padded base64 as the core accepts it in a client context. */
int gg_base64_valid(const char *s);
/* Append s as a JSON string literal, quotes included. */
int gg_json_append_string(gg_buf *out, const char *s);
/* Nonzero when the JSON text has an object at its top with the given key. */
int gg_json_has_top_key(const char *json, size_t len, const char *key);

/* ---- http.c --------------------------------------------------------------------------- */

/* A piece of the caller's buffer. */
typedef struct gg_slice {
    size_t off;
    size_t len;
} gg_slice;

/* The parsed head of a response; slices point into the buffer given to gg_http_parse_head. */
typedef struct gg_http_head {
    int status;
    long content_length;          /* -1 when absent */
    int chunked;                  /* Transfer-Encoding: chunked */
    int close;                    /* the server closes the connection after this response */
    gg_slice invocation_id;       /* X-Amz-InvocationId */
    gg_slice client_context;      /* X-Amz-Client-Context */
    gg_slice function_error;      /* X-Amz-Function-Error */
} gg_http_head;

/*
 * Parse a response head at the start of buf. Returns the length of the head (through the blank
 * line) when complete, 0 when more bytes are needed, -1 when it is malformed.
 */
long gg_http_parse_head(const char *buf, size_t len, gg_http_head *head);

/* Incremental decoder of a chunked body. */
typedef struct gg_chunked {
    int state;
    size_t remaining;             /* bytes left in the current chunk, or the size being read */
} gg_chunked;

/*
 * Feed n bytes of a chunked body; data is appended to out. Returns 1 when the body is complete
 * (*used says how many bytes were consumed), 0 when more are needed, -1 on malformed input or
 * OOM.
 */
int gg_chunked_feed(gg_chunked *c, const char *p, size_t n, size_t *used, gg_buf *out);

/* One extra request header. */
typedef struct gg_header {
    const char *name;
    const char *value;
} gg_header;

/* A complete response: the raw head (slices of head refer to it) and the decoded body. */
typedef struct gg_http_response {
    gg_http_head head;
    gg_buf raw;
    gg_buf body;
} gg_http_response;

/* A kept-alive connection to the core, owned by one thread at a time; fd is -1 when closed. */
typedef struct gg_conn {
    int fd;
} gg_conn;

#define GG_CONN_INIT {-1}

/* Close a kept-alive connection (harmless when closed). */
void gg_conn_close(gg_conn *conn);

/*
 * Send one request to the core at 127.0.0.1:port and read the whole response. With a conn the
 * connection is reused and kept alive (a stale one is replaced once, before any byte of a
 * response arrived); with NULL it is a one-off connection. When cancel_fd >= 0 the wait also
 * watches it and gives up with GGE_TERMINATE as soon as it is readable. The caller frees resp
 * with gg_http_response_free, also on error.
 */
gg_error gg_http_exchange(gg_conn *conn, unsigned short port, int cancel_fd, const char *method,
                          const char *path, const gg_header *headers, size_t nheaders,
                          const void *body, size_t body_len, gg_http_response *resp);
void gg_http_response_free(gg_http_response *resp);
/* Copy a header value out as a NUL-terminated string (empty when absent). */
int gg_http_header_copy(const gg_http_response *resp, gg_slice s, gg_buf *out);

/* ---- runtime.c ------------------------------------------------------------------------ */

/* Configuration read from the environment by gg_global_init; immutable afterwards. */
typedef struct gg_config {
    char *function_arn; /* each string is a malloc'd copy, owned by runtime.c */
    char *auth_token;
    char *router_arn;
    char *shadow_arn;
    char *secrets_arn;
    unsigned short port;
} gg_config;

/* The configuration, or NULL before gg_global_init. */
const gg_config *gg_config_get(void);
/* The fd that becomes readable once SIGTERM arrived (-1 before init). */
int gg_terminate_fd(void);
/* Nonzero once SIGTERM arrived. */
int gg_terminated(void);

/* ---- request.c ------------------------------------------------------------------------ */

/* Build "/2016-11-01/functions/<arn><suffix>". */
int gg_function_path(gg_buf *out, const char *arn, const char *suffix);

#endif /* GG_INTERNAL_H */
