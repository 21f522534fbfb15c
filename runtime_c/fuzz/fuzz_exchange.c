/*
 * fuzz_exchange.c - libFuzzer target over a whole call as the core's answer arrives on a real
 * loopback socket: a server thread answers every request with the fuzzer's bytes and hangs up,
 * gg_publish reads that answer (head, Content-Length, chunked or until EOF), then
 * gg_request_read hands the body out in chunks whose size the first input byte picks.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "greengrasssdk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The answer is copied: the server may still be writing it to a connection the client has
   given up on after the input itself is gone. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint8_t answer[1 << 16];
static size_t answer_len;
static int listen_fd = -1;

/* Answer each connection's first request with the current input, then hang up. */
static void *serve(void *arg) {
    (void)arg;
    for (;;) {
        char request[4096];
        int fd = accept(listen_fd, NULL, NULL);
        if (fd < 0) {
            continue;
        }
        if (recv(fd, request, sizeof request, 0) > 0) {
            pthread_mutex_lock(&lock);
            if (answer_len > 0) {
                (void)!send(fd, answer, answer_len, MSG_NOSIGNAL);
            }
            pthread_mutex_unlock(&lock);
        }
        shutdown(fd, SHUT_RDWR);
        close(fd);
    }
    return NULL;
}

static void start_server(void) {
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    pthread_t thread;
    char port[16];

    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(listen_fd, 16) != 0 || getsockname(listen_fd, (struct sockaddr *)&addr, &len) != 0 ||
        pthread_create(&thread, NULL, serve, NULL) != 0) {
        perror("fuzz_exchange");
        exit(2);
    }
    sprintf(port, "%u", (unsigned)ntohs(addr.sin_port));
    setenv("GG_DAEMON_PORT", port, 1);
    setenv("MY_FUNCTION_ARN", "arn:aws:lambda:us-east-1:123456789012:function:fuzz:1", 1);
    setenv("LOG_LEVEL", "FATAL", 1);
    if (gg_global_init(0) != GGE_SUCCESS) {
        exit(2);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    gg_request req = NULL;
    gg_request_result result;
    char buf[256];
    size_t step, n, total = 0;

    if (listen_fd < 0) {
        start_server();
    }
    if (size == 0) {
        return 0;
    }
    step = data[0] % sizeof buf; /* 0 too: a zero-size read must return nothing */
    pthread_mutex_lock(&lock);
    answer_len = size - 1 < sizeof answer ? size - 1 : sizeof answer;
    memcpy(answer, data + 1, answer_len);
    pthread_mutex_unlock(&lock);

    if (gg_request_init(&req) != GGE_SUCCESS) {
        abort();
    }
    if (gg_publish(req, "fuzz/topic", "x", 1, &result) == GGE_SUCCESS) {
        do {
            if (gg_request_read(req, buf, step, &n) != GGE_SUCCESS || n > step) {
                abort();
            }
            total += n;
        } while (n > 0 && total <= size);
        if (total > size) {
            abort(); /* a body is never longer than what the server sent */
        }
    }
    gg_request_close(req);
    return 0;
}
