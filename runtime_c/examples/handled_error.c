/*
 * handled_error.c - a handler that reports an error: its invoker sees GG_REQUEST_HANDLED and
 * reads the message.
 */
#include "greengrasssdk.h"

static void handler(const gg_lambda_context *cxt) {
    (void)cxt;
    gg_lambda_handler_write_error("temperature sensor offline");
}

int main(void) {
    if (gg_global_init(0) != GGE_SUCCESS) {
        return 1;
    }
    return gg_runtime_start(handler, 0) == GGE_TERMINATE ? 0 : 1;
}
