/*
 * async_publish.c - an ASYNC runtime: the work loop serves invocations on its own thread
 * while the main thread publishes "hello world!" to hello/world every few seconds (every
 * PUBLISH_INTERVAL_MS, 3000 by default), reusing one request. SIGTERM ends both.
 */
#define _POSIX_C_SOURCE 200809L /* nanosleep */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "greengrasssdk.h"

static void handler(const gg_lambda_context *cxt) {
    char buffer[64];
    size_t n = 0;
    (void)cxt;
    gg_lambda_handler_read(buffer, sizeof buffer, &n);
    gg_lambda_handler_write_response("pong", 4);
}

int main(void) {
    const char *env = getenv("PUBLISH_INTERVAL_MS");
    long interval = env ? atol(env) : 3000;
    const char message[] = "hello world!";
    gg_request req = NULL;
    gg_request_result result;
    gg_error err;
    struct timespec pause;

    if (gg_global_init(0) != GGE_SUCCESS || gg_runtime_start(handler, GG_RT_OPT_ASYNC) != GGE_SUCCESS ||
        gg_request_init(&req) != GGE_SUCCESS) {
        gg_log(GG_LOG_ERROR, "could not start the runtime");
        return 1;
    }
    pause.tv_sec = interval / 1000;
    pause.tv_nsec = (interval % 1000) * 1000000L;
    for (;;) {
        /* sizeof message counts the NUL: 13 bytes, as the Greengrass example sends. */
        err = gg_publish(req, "hello/world", message, sizeof message, &result);
        if (err == GGE_TERMINATE) {
            break;
        }
        if (err != GGE_SUCCESS || result.request_status != GG_REQUEST_SUCCESS) {
            gg_log(GG_LOG_ERROR, "publish failed: error %d, status %d", (int)err,
                   (int)result.request_status);
        } else {
            gg_log(GG_LOG_INFO, "published to hello/world");
        }
        nanosleep(&pause, NULL);
    }
    gg_request_close(req);
    gg_log(GG_LOG_INFO, "stopped by SIGTERM");
    return 0;
}
