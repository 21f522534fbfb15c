/*
 * crash.c - a handler that crashes: the core notices the dead worker and its invoker sees
 * GG_REQUEST_UNHANDLED.
 */
#include <stdlib.h>

#include "greengrasssdk.h"

static void handler(const gg_lambda_context *cxt) {
    (void)cxt;
    gg_log(GG_LOG_FATAL, "about to crash");
    abort();
}

int main(void) {
    if (gg_global_init(0) != GGE_SUCCESS) {
        return 1;
    }
    return gg_runtime_start(handler, 0) == GGE_TERMINATE ? 0 : 1;
}
