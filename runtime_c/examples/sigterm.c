/*
 * sigterm.c - a blocking runtime that cleans up once SIGTERM ends gg_runtime_start: the
 * function stops with exit status 0 and says so in its log.
 */
#include "greengrasssdk.h"

static void handler(const gg_lambda_context *cxt) {
    (void)cxt;
    gg_lambda_handler_write_response("ready", 5);
}

int main(void) {
    gg_error err;
    if (gg_global_init(0) != GGE_SUCCESS) {
        return 1;
    }
    err = gg_runtime_start(handler, 0);
    if (err != GGE_TERMINATE) {
        gg_log(GG_LOG_ERROR, "the runtime stopped unexpectedly: %d", (int)err);
        return 1;
    }
    gg_log(GG_LOG_INFO, "SIGTERM received, cleaned up");
    return 0;
}
