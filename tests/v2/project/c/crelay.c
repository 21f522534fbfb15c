/* crelay.c - publishes "c got: <event>" to sensors/out/c for every event. */
#include <stdio.h>
#include <string.h>

#include "greengrasssdk.h"

static void handler(const gg_lambda_context *cxt) {
    char event[512];
    char message[600];
    size_t n = 0;
    gg_request req = NULL;
    gg_request_result result;
    (void)cxt;

    gg_lambda_handler_read(event, sizeof event - 1, &n);
    event[n] = '\0';
    snprintf(message, sizeof message, "c got: %s", event);
    if (gg_request_init(&req) != GGE_SUCCESS ||
        gg_publish(req, "sensors/out/c", message, strlen(message), &result) != GGE_SUCCESS ||
        result.request_status != GG_REQUEST_SUCCESS) {
        gg_lambda_handler_write_error("publish failed");
    } else {
        gg_lambda_handler_write_response("ok", 2);
    }
    gg_request_close(req);
}

int main(void) {
    if (gg_global_init(0) != GGE_SUCCESS) {
        return 1;
    }
    return gg_runtime_start(handler, 0) == GGE_TERMINATE ? 0 : 1;
}
