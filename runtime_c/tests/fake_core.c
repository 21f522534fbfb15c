/*
 * fake_core.c - see fake_core.h. One thread accepts connections; each connection gets its own
 * thread, so a long poll for work never blocks other calls. Connections are kept alive for up to
 * four requests.
 */
#include "fake_core.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../src/internal.h"

#define MAX_ITEMS 64

typedef struct work_item {
    char id[64];
    char context[512];
    char *payload;
    size_t len;
} work_item;

struct fake_core {
    int listen_fd;
    unsigned short port;
    pthread_t acceptor;
    pthread_attr_t detached;       /* connection threads are never joined */
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int stopping;
    int connections;               /* open connections, so stop can wait for them */
    work_item work[MAX_ITEMS];
    int nwork;
    fake_call results[MAX_ITEMS];
    int nresults;
    fake_call last;                /* the last call to another target */
    int has_last;
    int polls;                     /* long polls waiting right now */
    int initialized;
    int next_id;
};

typedef struct connection {
    fake_core *fc;
    int fd;
} connection;

static void copy_str(char *dst, size_t size, const char *src, size_t len) {
    if (len >= size) {
        len = size - 1;
    }
    memcpy(dst, src, len);
    dst[len] = '\0';
}

/* Read a whole request (head and Content-Length body) into call; 0 when done. */
static int read_request(int fd, fake_call *call) {
    gg_buf in = {NULL, 0, 0};
    char chunk[4096], *head_end = NULL, *line;
    size_t head_len, content_length = 0;
    ssize_t got;

    memset(call, 0, sizeof *call);
    while (head_end == NULL) {
        got = recv(fd, chunk, sizeof chunk, 0);
        if (got <= 0 || gg_buf_append(&in, chunk, (size_t)got) != 0) {
            gg_buf_free(&in);
            return -1;
        }
        head_end = strstr(in.data, "\r\n\r\n");
    }
    head_len = (size_t)(head_end - in.data) + 4;
    /* Request line, then headers. */
    sscanf(in.data, "%7s %511s", call->method, call->path);
    for (line = strstr(in.data, "\r\n") + 2; line < head_end; line = strstr(line, "\r\n") + 2) {
        char *colon = strchr(line, ':'), *value, *eol = strstr(line, "\r\n");
        size_t vlen;
        if (colon == NULL || colon > eol) {
            continue;
        }
        for (value = colon + 1; *value == ' '; value++) {
        }
        vlen = (size_t)(eol - value);
        if (strncasecmp(line, "Content-Length:", 15) == 0) {
            content_length = (size_t)strtoul(value, NULL, 10);
        } else if (strncasecmp(line, "X-Amz-InvocationId:", 19) == 0) {
            copy_str(call->invocation_id, sizeof call->invocation_id, value, vlen);
        } else if (strncasecmp(line, "X-Amz-Invocation-Type:", 22) == 0) {
            copy_str(call->invocation_type, sizeof call->invocation_type, value, vlen);
        } else if (strncasecmp(line, "X-Amz-Function-Error:", 21) == 0) {
            copy_str(call->function_error, sizeof call->function_error, value, vlen);
        } else if (strncasecmp(line, "X-Amz-Client-Context:", 21) == 0) {
            gg_buf dec = {NULL, 0, 0};
            if (gg_base64_decode(&dec, value, vlen) == 0) {
                copy_str(call->client_context, sizeof call->client_context, dec.data, dec.len);
            } else {
                strcpy(call->client_context, "(not base64)");
            }
            gg_buf_free(&dec);
        }
    }
    while (in.len < head_len + content_length) {
        got = recv(fd, chunk, sizeof chunk, 0);
        if (got <= 0 || gg_buf_append(&in, chunk, (size_t)got) != 0) {
            gg_buf_free(&in);
            return -1;
        }
    }
    call->body = (char *)malloc(content_length + 1);
    if (call->body == NULL) {
        gg_buf_free(&in);
        return -1;
    }
    memcpy(call->body, in.data + head_len, content_length);
    call->body[content_length] = '\0';
    call->body_len = content_length;
    gg_buf_free(&in);
    return 0;
}

static void send_text(int fd, const char *text, size_t len) {
    while (len > 0) {
        ssize_t sent = send(fd, text, len, MSG_NOSIGNAL);
        if (sent <= 0) {
            return;
        }
        text += sent;
        len -= (size_t)sent;
    }
}

/* Answer with a status, extra header lines (each ending in CRLF) and a body. */
static void respond(int fd, int status, const char *headers, const char *body, size_t len) {
    char head[1024];
    int n = snprintf(head, sizeof head, "HTTP/1.1 %d X\r\nContent-Length: %lu\r\n%s\r\n", status,
                     (unsigned long)len, headers ? headers : "");
    send_text(fd, head, (size_t)n);
    send_text(fd, body, len);
}

/* The same, with a chunked body in chunks of 3 bytes. */
static void respond_chunked(int fd, const char *body, size_t len) {
    const char *head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    size_t off;
    send_text(fd, head, strlen(head));
    for (off = 0; off < len; off += 3) {
        char size[16];
        size_t n = len - off < 3 ? len - off : 3;
        sprintf(size, "%lx\r\n", (unsigned long)n);
        send_text(fd, size, strlen(size));
        send_text(fd, body + off, n);
        send_text(fd, "\r\n", 2);
    }
    send_text(fd, "0\r\n\r\n", 5);
}

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Give the long poll a work item once one is queued. */
static void serve_work(fake_core *fc, int fd) {
    work_item item;
    char headers[1024];

    pthread_mutex_lock(&fc->lock);
    fc->polls++;
    pthread_cond_broadcast(&fc->changed);
    while (fc->nwork == 0 && !fc->stopping) {
        /* Wake up now and then to notice a client that hung up. */
        struct timespec until;
        struct pollfd p;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 50000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&fc->changed, &fc->lock, &until);
        p.fd = fd;
        p.events = POLLIN;
        p.revents = 0;
        if (poll(&p, 1, 0) == 1) {
            break; /* the client closed its end (gave up the poll) */
        }
    }
    fc->polls--;
    if (fc->nwork == 0) {
        pthread_mutex_unlock(&fc->lock);
        respond(fd, 503, NULL, "", 0);
        return;
    }
    item = fc->work[0];
    memmove(fc->work, fc->work + 1, sizeof(work_item) * (size_t)(fc->nwork - 1));
    fc->nwork--;
    pthread_mutex_unlock(&fc->lock);
    snprintf(headers, sizeof headers, "X-Amz-InvocationId: %s\r\nX-Amz-Client-Context: %s\r\n",
             item.id, item.context);
    respond(fd, 200, headers, item.payload, item.len);
    free(item.payload);
}

/* Scripted answers to a RequestResponse result fetch, keyed by the posted body. */
static void serve_result(int fd, const fake_call *posted) {
    const char *body = posted->body;
    if (strcmp(body, "fail-handled") == 0) {
        const char *msg = "{\"errorMessage\": \"boom\"}";
        respond(fd, 200, "X-Amz-Function-Error: Handled\r\n", msg, strlen(msg));
    } else if (strcmp(body, "fail-unhandled") == 0) {
        const char *msg = "worker crashed";
        respond(fd, 200, "X-Amz-Function-Error: Unhandled\r\n", msg, strlen(msg));
    } else if (strncmp(body, "chunked:", 8) == 0) {
        respond_chunked(fd, body + 8, posted->body_len - 8);
    } else if (posted->body_len == 0) {
        const char *msg = "{\"code\": 404, \"message\": \"No shadow exists\"}";
        respond(fd, 200, NULL, msg, strlen(msg));
    } else {
        /* Echo with a prefix, so tests see the body went there and back. */
        gg_buf out = {NULL, 0, 0};
        if (gg_buf_append_str(&out, "echo:") == 0 &&
            gg_buf_append(&out, body, posted->body_len) == 0) {
            respond(fd, 200, NULL, out.data, out.len);
        }
        gg_buf_free(&out);
    }
}

static void *serve_connection(void *arg) {
    connection *conn = (connection *)arg;
    fake_core *fc = conn->fc;
    fake_call call;
    char headers[128];
    int served = 0;

    /* Keep-alive, but hang up after every fourth request without warning, as a server may do
       with an idle connection: clients must then retry on a new one. */
    while (served++ < 4 && read_request(conn->fd, &call) == 0) {
        int own = strstr(call.path, "function:self") != NULL;
        if (own && strcmp(call.method, "GET") == 0 && ends_with(call.path, "/work")) {
            serve_work(fc, conn->fd);
        } else if (own && strcmp(call.method, "POST") == 0 && ends_with(call.path, "/work")) {
            pthread_mutex_lock(&fc->lock);
            if (fc->nresults < MAX_ITEMS) {
                fc->results[fc->nresults++] = call;
                call.body = NULL;
            }
            pthread_cond_broadcast(&fc->changed);
            pthread_mutex_unlock(&fc->lock);
            respond(conn->fd, 202, NULL, "", 0);
        } else if (own && strcmp(call.method, "PUT") == 0) {
            pthread_mutex_lock(&fc->lock);
            fc->initialized++;
            pthread_mutex_unlock(&fc->lock);
            respond(conn->fd, 202, NULL, "", 0);
        } else if (strcmp(call.method, "POST") == 0) {
            int id;
            pthread_mutex_lock(&fc->lock);
            fake_call_free(&fc->last);
            fc->last = call;
            fc->has_last = 1;
            call.body = (char *)malloc(call.body_len + 1);
            if (call.body) {
                memcpy(call.body, fc->last.body, call.body_len + 1);
            }
            id = ++fc->next_id;
            pthread_mutex_unlock(&fc->lock);
            if (strstr(call.client_context, "\"subject\": \"full/queue\"")) {
                respond(conn->fd, 429, NULL, "queue full", 10);
            } else if (strstr(call.client_context, "\"subject\": \"no/route\"")) {
                const char *msg = "No subscription exists for the source and subject no/route";
                respond(conn->fd, 400, NULL, msg, strlen(msg));
            } else {
                /* The invocation id carries the body so the result fetch can answer it. */
                pthread_mutex_lock(&fc->lock);
                if (fc->nresults < MAX_ITEMS && call.body) {
                    sprintf(call.invocation_id, "call-%d", id);
                    fc->results[fc->nresults++] = call;
                    call.body = NULL;
                }
                pthread_mutex_unlock(&fc->lock);
                sprintf(headers, "X-Amz-InvocationId: call-%d\r\n", id);
                respond(conn->fd, 202, headers, "", 0);
            }
        } else if (strcmp(call.method, "GET") == 0) {
            fake_call posted;
            memset(&posted, 0, sizeof posted);
            if (fake_core_wait_result(fc, call.invocation_id, &posted) == 0) {
                serve_result(conn->fd, &posted);
            } else {
                respond(conn->fd, 404, NULL, "no such invocation", 18);
            }
            fake_call_free(&posted);
        }
        fake_call_free(&call);
    }
    close(conn->fd);
    pthread_mutex_lock(&fc->lock);
    fc->connections--;
    pthread_cond_broadcast(&fc->changed);
    pthread_mutex_unlock(&fc->lock);
    free(conn);
    return NULL;
}

static void *accept_loop(void *arg) {
    fake_core *fc = (fake_core *)arg;
    for (;;) {
        pthread_t thread;
        connection *conn;
        int fd = accept(fc->listen_fd, NULL, NULL);
        if (fd < 0) {
            if (errno == EBADF || errno == EINVAL) {
                return NULL; /* the listening socket was shut down */
            }
            continue; /* a client gave up before we took its connection, or EINTR */
        }
        conn = (connection *)malloc(sizeof *conn);
        if (conn == NULL) {
            close(fd);
            continue;
        }
        conn->fc = fc;
        conn->fd = fd;
        pthread_mutex_lock(&fc->lock);
        fc->connections++;
        pthread_mutex_unlock(&fc->lock);
        if (pthread_create(&thread, &fc->detached, serve_connection, conn) != 0) {
            close(fd);
            free(conn);
            pthread_mutex_lock(&fc->lock);
            fc->connections--;
            pthread_mutex_unlock(&fc->lock);
        }
    }
}

fake_core *fake_core_start(void) {
    fake_core *fc = (fake_core *)calloc(1, sizeof *fc);
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;

    if (fc == NULL) {
        return NULL;
    }
    pthread_mutex_init(&fc->lock, NULL);
    pthread_cond_init(&fc->changed, NULL);
    pthread_attr_init(&fc->detached);
    pthread_attr_setdetachstate(&fc->detached, PTHREAD_CREATE_DETACHED);
    fc->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fc->listen_fd < 0 || bind(fc->listen_fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(fc->listen_fd, 64) != 0 ||
        getsockname(fc->listen_fd, (struct sockaddr *)&addr, &len) != 0 ||
        pthread_create(&fc->acceptor, NULL, accept_loop, fc) != 0) {
        perror("fake core");
        exit(2);
    }
    fc->port = ntohs(addr.sin_port);
    return fc;
}

unsigned short fake_core_port(const fake_core *fc) {
    return fc->port;
}

void fake_core_add_work(fake_core *fc, const char *id, const char *client_context_b64,
                        const void *payload, size_t len) {
    work_item *item;
    pthread_mutex_lock(&fc->lock);
    item = &fc->work[fc->nwork++];
    copy_str(item->id, sizeof item->id, id, strlen(id));
    copy_str(item->context, sizeof item->context, client_context_b64, strlen(client_context_b64));
    item->payload = (char *)malloc(len + 1);
    memcpy(item->payload, payload, len);
    item->len = len;
    pthread_cond_broadcast(&fc->changed);
    pthread_mutex_unlock(&fc->lock);
}

/* Wait on the condition for up to 20 s in total; returns nonzero on timeout. */
static int wait_changed(fake_core *fc, time_t deadline) {
    struct timespec until;
    until.tv_sec = deadline;
    until.tv_nsec = 0;
    return pthread_cond_timedwait(&fc->changed, &fc->lock, &until) == ETIMEDOUT;
}

int fake_core_wait_result(fake_core *fc, const char *id, fake_call *out) {
    time_t deadline = time(NULL) + 20;
    int i, rc = -1;
    pthread_mutex_lock(&fc->lock);
    for (;;) {
        for (i = 0; i < fc->nresults; i++) {
            if (strcmp(fc->results[i].invocation_id, id) == 0) {
                *out = fc->results[i];
                memmove(fc->results + i, fc->results + i + 1,
                        sizeof(fake_call) * (size_t)(fc->nresults - i - 1));
                fc->nresults--;
                rc = 0;
                break;
            }
        }
        if (rc == 0 || wait_changed(fc, deadline)) {
            break;
        }
    }
    pthread_mutex_unlock(&fc->lock);
    return rc;
}

int fake_core_last_call(fake_core *fc, fake_call *out) {
    int rc = -1;
    pthread_mutex_lock(&fc->lock);
    if (fc->has_last) {
        *out = fc->last;
        fc->has_last = 0;
        memset(&fc->last, 0, sizeof fc->last);
        rc = 0;
    }
    pthread_mutex_unlock(&fc->lock);
    return rc;
}

int fake_core_wait_polls(fake_core *fc, int n) {
    time_t deadline = time(NULL) + 20;
    int rc = 0;
    pthread_mutex_lock(&fc->lock);
    while (fc->polls != n && rc == 0) {
        rc = wait_changed(fc, deadline) ? -1 : 0;
    }
    pthread_mutex_unlock(&fc->lock);
    return rc;
}

int fake_core_initialized_count(fake_core *fc) {
    int n;
    pthread_mutex_lock(&fc->lock);
    n = fc->initialized;
    pthread_mutex_unlock(&fc->lock);
    return n;
}

void fake_call_free(fake_call *c) {
    free(c->body);
    c->body = NULL;
}

void fake_core_stop(fake_core *fc) {
    int i;
    time_t deadline = time(NULL) + 20;
    shutdown(fc->listen_fd, SHUT_RDWR);
    close(fc->listen_fd);
    pthread_join(fc->acceptor, NULL);
    pthread_mutex_lock(&fc->lock);
    fc->stopping = 1;
    pthread_cond_broadcast(&fc->changed);
    while (fc->connections > 0 && !wait_changed(fc, deadline)) {
    }
    pthread_mutex_unlock(&fc->lock);
    for (i = 0; i < fc->nwork; i++) {
        free(fc->work[i].payload);
    }
    for (i = 0; i < fc->nresults; i++) {
        fake_call_free(&fc->results[i]);
    }
    fake_call_free(&fc->last);
    pthread_mutex_destroy(&fc->lock);
    pthread_cond_destroy(&fc->changed);
    pthread_attr_destroy(&fc->detached);
    free(fc);
}
