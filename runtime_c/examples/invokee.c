/*
 * invokee.c - answers an event "hello" with "hello world" (any event gets " world" added).
 */
#include "greengrasssdk.h"

static void handler(const gg_lambda_context *cxt) {
    char event[128];
    size_t n = 0;
    (void)cxt;

    gg_lambda_handler_read(event, sizeof event, &n);
    gg_lambda_handler_write_response(event, n);
    gg_lambda_handler_write_response(" world", 6);
}

int main(void) {
    if (gg_global_init(0) != GGE_SUCCESS) {
        return 1;
    }
    return gg_runtime_start(handler, 0) == GGE_TERMINATE ? 0 : 1;
}
