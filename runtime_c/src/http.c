/*
 * http.c - the HTTP/1.1 client the runtime uses to talk to the core over loopback TCP.
 *
 * A connection (gg_conn) belongs to its caller: the work loop keeps one for its polls and
 * results, each gg_request one for its calls, so no connection state is shared between threads.
 * Connections are kept alive when the response allows it, and a long poll is abandoned by
 * closing its socket. The response parsers below are pure functions of their input so they can
 * be unit tested and fuzzed on their own.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"

/* ---- response head ---------------------------------------------------------------------- */

static int lower(int c) {
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Case-insensitive comparison of a header name of length n with a lower-case name. */
static int name_is(const char *p, size_t n, const char *name) {
    size_t i;
    if (strlen(name) != n) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if (lower((unsigned char)p[i]) != name[i]) {
            return 0;
        }
    }
    return 1;
}

/* Nonzero when the value (of length n) ends with the token "chunked". */
static int ends_with_chunked(const char *p, size_t n) {
    return n >= 7 && name_is(p + n - 7, 7, "chunked") &&
           (n == 7 || p[n - 8] == ',' || p[n - 8] == ' ' || p[n - 8] == '\t');
}

/* Parse a decimal Content-Length; -1 when malformed or beyond what the runtime accepts. */
static long parse_length(const char *p, size_t n) {
    long v = 0;
    size_t i;
    if (n == 0) {
        return -1;
    }
    for (i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return -1;
        }
        v = v * 10 + (p[i] - '0');
        if (v > (long)GG_MAX_BODY) {
            return -1;
        }
    }
    return v;
}

static int is_token_char(unsigned char c) {
    return c > 0x20 && c < 0x7f && c != ':';
}

long gg_http_parse_head(const char *buf, size_t len, gg_http_head *head) {
    size_t end, pos, i;
    int saw_length = 0;

    memset(head, 0, sizeof *head);
    head->content_length = -1;

    /* Find the blank line that ends the head. */
    for (end = 0; end + 3 < len; end++) {
        if (buf[end] == '\r' && buf[end + 1] == '\n' && buf[end + 2] == '\r' &&
            buf[end + 3] == '\n') {
            break;
        }
    }
    if (end + 3 >= len) {
        return len >= GG_MAX_HEAD ? -1 : 0;
    }
    if (end + 4 > GG_MAX_HEAD) {
        return -1;
    }

    /* Status line: "HTTP/1.x NNN reason". */
    if (end < 12 || memcmp(buf, "HTTP/1.", 7) != 0 || buf[7] < '0' || buf[7] > '9' ||
        buf[8] != ' ') {
        return -1;
    }
    for (i = 9; i < 12; i++) {
        if (buf[i] < '0' || buf[i] > '9') {
            return -1;
        }
        head->status = head->status * 10 + (buf[i] - '0');
    }
    head->close = buf[7] == '0'; /* HTTP/1.0 closes unless told otherwise */
    if (end > 12 && buf[12] != ' ') {
        return -1;
    }
    pos = 12;
    while (buf[pos] != '\r') {
        pos++; /* the reason phrase; buf[end] is a CR, so this stops */
    }
    if (buf[pos + 1] != '\n') {
        return -1;
    }
    pos += 2;

    /* Header lines up to the blank line; each is "Name: value" with optional spaces. */
    while (pos < end + 2) {
        size_t line_end = pos, colon, vstart, vend;
        while (line_end < end + 2 && buf[line_end] != '\r') {
            line_end++;
        }
        if (line_end + 1 >= len || buf[line_end + 1] != '\n') {
            return -1;
        }
        for (colon = pos; colon < line_end && is_token_char((unsigned char)buf[colon]); colon++) {
        }
        if (colon == pos || colon >= line_end || buf[colon] != ':') {
            return -1;
        }
        for (vstart = colon + 1; vstart < line_end && (buf[vstart] == ' ' || buf[vstart] == '\t');
             vstart++) {
        }
        for (vend = line_end; vend > vstart && (buf[vend - 1] == ' ' || buf[vend - 1] == '\t');
             vend--) {
        }
        for (i = vstart; i < vend; i++) {
            unsigned char c = (unsigned char)buf[i];
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return -1; /* no control characters (a bare LF or NUL) inside a value */
            }
        }
        {
            const char *name = buf + pos;
            size_t nlen = colon - pos;
            gg_slice value;
            value.off = vstart;
            value.len = vend - vstart;
            if (name_is(name, nlen, "content-length")) {
                long v = parse_length(buf + vstart, vend - vstart);
                if (v < 0 || (saw_length && v != head->content_length)) {
                    return -1;
                }
                head->content_length = v;
                saw_length = 1;
            } else if (name_is(name, nlen, "connection")) {
                head->close = value.len == 5 && name_is(buf + vstart, 5, "close");
            } else if (name_is(name, nlen, "transfer-encoding")) {
                head->chunked = ends_with_chunked(buf + vstart, vend - vstart);
            } else if (name_is(name, nlen, "x-amz-invocationid")) {
                head->invocation_id = value;
            } else if (name_is(name, nlen, "x-amz-client-context")) {
                head->client_context = value;
            } else if (name_is(name, nlen, "x-amz-function-error")) {
                head->function_error = value;
            }
        }
        pos = line_end + 2;
    }
    if (head->chunked) {
        head->content_length = -1; /* chunked framing wins over a length (RFC 9112 6.3) */
    }
    return (long)(end + 4);
}

/* ---- chunked bodies --------------------------------------------------------------------- */

enum {
    CH_SIZE_FIRST, /* expecting the first hex digit of a chunk size */
    CH_SIZE,       /* more hex digits, an extension or CR */
    CH_EXT,        /* skipping a chunk extension up to CR */
    CH_SIZE_LF,
    CH_DATA,
    CH_DATA_CR,
    CH_DATA_LF,
    CH_TRAILER,    /* at the start of a trailer line or the final CRLF */
    CH_TRAILER_LINE,
    CH_END_LF,
    CH_DONE
};

static int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (char)lower((unsigned char)c);
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

/* A byte the chunked grammar fixes (CR or LF): it must be want, then the decoder goes on to next. */
static int expect_byte(gg_chunked *c, char ch, char want, int next) {
    if (ch != want) {
        return -1;
    }
    c->state = next;
    return 0;
}

int gg_chunked_feed(gg_chunked *c, const char *p, size_t n, size_t *used, gg_buf *out) {
    size_t i = 0;

    while (i < n && c->state != CH_DONE) {
        char ch = p[i];
        int h;
        switch (c->state) {
        case CH_SIZE_FIRST:
        case CH_SIZE:
            h = hex_value(ch);
            if (h >= 0) {
                c->remaining = c->remaining * 16 + (size_t)h;
                if (c->remaining > GG_MAX_BODY) {
                    return -1;
                }
                c->state = CH_SIZE;
            } else if (c->state == CH_SIZE && (ch == ';' || ch == ' ' || ch == '\t')) {
                c->state = CH_EXT;
            } else if (c->state == CH_SIZE && ch == '\r') {
                c->state = CH_SIZE_LF;
            } else {
                return -1;
            }
            break;
        case CH_EXT:
            if (ch == '\r') {
                c->state = CH_SIZE_LF;
            } else if (ch == '\n') {
                return -1;
            }
            break;
        case CH_SIZE_LF:
            if (expect_byte(c, ch, '\n', c->remaining == 0 ? CH_TRAILER : CH_DATA) != 0) {
                return -1;
            }
            break;
        case CH_DATA: {
            /* The only state that takes more than one byte at a time. */
            size_t take = n - i < c->remaining ? n - i : c->remaining;
            if (out->len + take > GG_MAX_BODY || gg_buf_append(out, p + i, take) != 0) {
                return -1;
            }
            c->remaining -= take;
            i += take;
            if (c->remaining == 0) {
                c->state = CH_DATA_CR;
            }
            continue;
        }
        case CH_DATA_CR:
            if (expect_byte(c, ch, '\r', CH_DATA_LF) != 0) {
                return -1;
            }
            break;
        case CH_DATA_LF:
            if (expect_byte(c, ch, '\n', CH_SIZE_FIRST) != 0) {
                return -1;
            }
            break;
        case CH_TRAILER:
            c->state = ch == '\r' ? CH_END_LF : CH_TRAILER_LINE;
            break;
        case CH_TRAILER_LINE:
            if (ch == '\n') {
                c->state = CH_TRAILER;
            }
            break;
        case CH_END_LF:
            if (expect_byte(c, ch, '\n', CH_DONE) != 0) {
                return -1;
            }
            break;
        default:
            return -1;
        }
        i++; /* every state but CH_DATA takes exactly one byte */
    }
    *used = i;
    return c->state == CH_DONE ? 1 : 0;
}

/* ---- one exchange over a socket -------------------------------------------------------- */

/* Wait until fd has the events; 1 when ready, 0 when cancel_fd became readable, -1 on error. */
static int wait_fd(int fd, short events, int cancel_fd) {
    struct pollfd fds[2];
    nfds_t nfds = 1;
    int rc;

    fds[0].fd = fd;
    fds[0].events = events;
    fds[0].revents = 0;
    if (cancel_fd >= 0) {
        fds[1].fd = cancel_fd;
        fds[1].events = POLLIN;
        fds[1].revents = 0;
        nfds = 2;
    }
    do {
        rc = poll(fds, nfds, -1);
    } while (rc < 0 && errno == EINTR && !(cancel_fd >= 0 && gg_terminated()));
    if (cancel_fd >= 0 && (gg_terminated() || fds[1].revents != 0)) {
        return 0;
    }
    if (rc < 0) {
        return -1;
    }
    return 1;
}

/* Connect a non-blocking socket to 127.0.0.1:port; returns the fd, -1 on error, -2 if cancelled. */
static int connect_core(unsigned short port, int cancel_fd) {
    struct sockaddr_in addr;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int flags, rc, err = 0, one = 1;
    socklen_t errlen = sizeof err;

    if (fd < 0) {
        return -1;
    }
    flags = fcntl(fd, F_GETFL, 0);
    /* Requests go out in one write; never hold one back waiting for an ACK (Nagle). */
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
        fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 ||
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) {
        close(fd);
        return -1;
    }
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    rc = connect(fd, (struct sockaddr *)&addr, sizeof addr);
    if (rc < 0 && errno != EINPROGRESS && errno != EINTR) {
        close(fd);
        return -1;
    }
    if (rc < 0) {
        rc = wait_fd(fd, POLLOUT, cancel_fd);
        if (rc <= 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen) < 0 || err != 0) {
            close(fd);
            return rc == 0 ? -2 : -1;
        }
    }
    return fd;
}

/* Send all of p; GGE_SUCCESS, GGE_TERMINATE or GGE_INTERNAL_FAILURE. */
static gg_error send_all(int fd, const char *p, size_t n, int cancel_fd) {
    while (n > 0) {
        ssize_t sent = send(fd, p, n, MSG_NOSIGNAL);
        if (sent < 0) {
            int rc;
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                return GGE_INTERNAL_FAILURE;
            }
            rc = wait_fd(fd, POLLOUT, cancel_fd);
            if (rc <= 0) {
                return rc == 0 ? GGE_TERMINATE : GGE_INTERNAL_FAILURE;
            }
            continue;
        }
        p += sent;
        n -= (size_t)sent;
    }
    return GGE_SUCCESS;
}

/* Build the request text. */
static int build_request(gg_buf *req, int keep_alive, unsigned short port, const char *method,
                         const char *path, const gg_header *headers, size_t nheaders,
                         const void *body, size_t body_len) {
    char line[96];
    size_t i;

    sprintf(line, " HTTP/1.1\r\nHost: localhost:%u\r\nContent-Length: %lu\r\n", (unsigned)port,
            (unsigned long)body_len);
    if (gg_buf_append_str(req, method) || gg_buf_append_str(req, " ") ||
        gg_buf_append_str(req, path) || gg_buf_append_str(req, line) ||
        gg_buf_append_str(req, keep_alive ? "" : "Connection: close\r\n")) {
        return -1;
    }
    for (i = 0; i < nheaders; i++) {
        if (headers[i].value == NULL) {
            continue;
        }
        if (gg_buf_append_str(req, headers[i].name) || gg_buf_append_str(req, ": ") ||
            gg_buf_append_str(req, headers[i].value) || gg_buf_append_str(req, "\r\n")) {
            return -1;
        }
    }
    if (gg_buf_append_str(req, "\r\n") || gg_buf_append(req, body, body_len)) {
        return -1;
    }
    return 0;
}

/* Receive into a chunk; returns bytes read, 0 at EOF, -1 on error, -2 if cancelled. */
static long recv_some(int fd, char *chunk, size_t size, int cancel_fd) {
    for (;;) {
        ssize_t got = recv(fd, chunk, size, 0);
        int rc;
        if (got >= 0) {
            return (long)got;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            return -1;
        }
        rc = wait_fd(fd, POLLIN, cancel_fd);
        if (rc <= 0) {
            return rc == 0 ? -2 : -1;
        }
    }
}

/*
 * Add n received bytes to resp's body, decoding them when the body is chunked; *done becomes
 * 1 once a chunked body is complete. Bodies past GG_MAX_BODY are refused either way.
 */
static gg_error feed_body(gg_http_response *resp, gg_chunked *dechunk, const char *p, size_t n,
                          int *done) {
    size_t used;
    int rc;

    if (n == 0) {
        return GGE_SUCCESS;
    }
    if (resp->head.chunked) {
        rc = gg_chunked_feed(dechunk, p, n, &used, &resp->body);
        if (rc < 0) {
            return GGE_INTERNAL_FAILURE;
        }
        *done = rc == 1;
        return GGE_SUCCESS;
    }
    if (resp->body.len + n > GG_MAX_BODY) {
        return GGE_INTERNAL_FAILURE;
    }
    return gg_buf_append(&resp->body, p, n) == 0 ? GGE_SUCCESS : GGE_OUT_OF_MEMORY;
}

/* Read and decode the response from fd into resp; resp->raw.len > 0 afterwards, even on
   failure, says that a response had begun (so the request must not be sent again). */
static gg_error read_response(int fd, int cancel_fd, gg_http_response *resp) {
    char chunk[8192];
    long head_len = 0, got;
    gg_chunked dechunk;
    int body_done = 0;
    gg_error err;

    memset(&dechunk, 0, sizeof dechunk);
    /* The head, plus whatever part of the body came with it. */
    while (head_len == 0) {
        got = recv_some(fd, chunk, sizeof chunk, cancel_fd);
        if (got <= 0) {
            return got == -2 ? GGE_TERMINATE : GGE_INTERNAL_FAILURE;
        }
        if (gg_buf_append(&resp->raw, chunk, (size_t)got) != 0) {
            return GGE_OUT_OF_MEMORY;
        }
        head_len = gg_http_parse_head(resp->raw.data, resp->raw.len, &resp->head);
        if (head_len < 0) {
            return GGE_INTERNAL_FAILURE;
        }
    }
    if (resp->head.status == 204 || resp->head.status == 304 || resp->head.content_length == 0) {
        resp->raw.len = (size_t)head_len;
        resp->raw.data[head_len] = '\0';
        return GGE_SUCCESS;
    }

    /* Bytes of the body already read, then the rest. */
    err = feed_body(resp, &dechunk, resp->raw.data + head_len, resp->raw.len - (size_t)head_len,
                    &body_done);
    if (err != GGE_SUCCESS) {
        return err;
    }
    resp->raw.len = (size_t)head_len; /* keep only the head, which the slices refer to */
    resp->raw.data[head_len] = '\0';

    while (!body_done) {
        if (resp->head.content_length >= 0 &&
            resp->body.len >= (size_t)resp->head.content_length) {
            break;
        }
        got = recv_some(fd, chunk, sizeof chunk, cancel_fd);
        if (got < 0) {
            return got == -2 ? GGE_TERMINATE : GGE_INTERNAL_FAILURE;
        }
        if (got == 0) {
            /* EOF ends a body without framing; anything else was cut short. */
            if (resp->head.chunked || resp->head.content_length >= 0) {
                return GGE_INTERNAL_FAILURE;
            }
            break;
        }
        err = feed_body(resp, &dechunk, chunk, (size_t)got, &body_done);
        if (err != GGE_SUCCESS) {
            return err;
        }
    }
    if (resp->head.content_length >= 0) {
        resp->body.len = (size_t)resp->head.content_length; /* ignore bytes past the body */
        resp->body.data[resp->body.len] = '\0';
    }
    return GGE_SUCCESS;
}

void gg_conn_close(gg_conn *conn) {
    if (conn != NULL && conn->fd >= 0) {
        close(conn->fd);
        conn->fd = -1;
    }
}

/* Nonzero when the connection can carry another request after this response. */
static int reusable(const gg_http_response *resp) {
    const gg_http_head *h = &resp->head;
    int framed = h->chunked || h->content_length >= 0 || h->status == 204 || h->status == 304;
    return framed && !h->close;
}

gg_error gg_http_exchange(gg_conn *conn, unsigned short port, int cancel_fd, const char *method,
                          const char *path, const gg_header *headers, size_t nheaders,
                          const void *body, size_t body_len, gg_http_response *resp) {
    gg_buf req = {NULL, 0, 0};
    gg_error err = GGE_INTERNAL_FAILURE;
    int attempt;

    memset(resp, 0, sizeof *resp);
    if (build_request(&req, conn != NULL, port, method, path, headers, nheaders, body,
                      body_len) != 0) {
        gg_buf_free(&req);
        return GGE_OUT_OF_MEMORY;
    }
    for (attempt = 0; attempt < 2; attempt++) {
        int reused = conn != NULL && conn->fd >= 0;
        int fd = reused ? conn->fd : connect_core(port, cancel_fd);
        if (fd < 0) {
            err = fd == -2 ? GGE_TERMINATE : GGE_INTERNAL_FAILURE;
            break;
        }
        err = send_all(fd, req.data, req.len, cancel_fd);
        if (err == GGE_SUCCESS) {
            err = read_response(fd, cancel_fd, resp);
        }
        if (err == GGE_SUCCESS && conn != NULL && reusable(resp)) {
            conn->fd = fd;
            break;
        }
        close(fd);
        if (conn != NULL) {
            conn->fd = -1;
        }
        /* The core may have closed an idle kept-alive connection: retry once on a new one. */
        if (!(reused && err == GGE_INTERNAL_FAILURE && resp->raw.len == 0)) {
            break;
        }
        gg_http_response_free(resp);
    }
    gg_buf_free(&req);
    if (err == GGE_SUCCESS && resp->body.data == NULL && gg_buf_append(&resp->body, "", 0) != 0) {
        err = GGE_OUT_OF_MEMORY;
    }
    return err;
}

void gg_http_response_free(gg_http_response *resp) {
    gg_buf_free(&resp->raw);
    gg_buf_free(&resp->body);
}

int gg_http_header_copy(const gg_http_response *resp, gg_slice s, gg_buf *out) {
    if (s.len == 0) {
        return gg_buf_append(out, "", 0);
    }
    return gg_buf_append(out, resp->raw.data + s.off, s.len);
}
