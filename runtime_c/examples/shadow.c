/*
 * shadow.c - a handler that updates thing foo's shadow (desired mode OFF), then gets it and
 * answers with the shadow document.
 */
#include "greengrasssdk.h"

/* Answer with the body of the request's last response. */
static void answer_with(gg_request req) {
    char buffer[64];
    size_t n = 0;
    do {
        if (gg_request_read(req, buffer, sizeof buffer, &n) != GGE_SUCCESS) {
            return;
        }
        gg_lambda_handler_write_response(buffer, n);
    } while (n > 0);
}

static void handler(const gg_lambda_context *cxt) {
    const char *update = "{\"state\": {\"desired\": {\"mode\": \"OFF\"}}}";
    gg_request req = NULL;
    gg_request_result result;
    (void)cxt;

    if (gg_request_init(&req) != GGE_SUCCESS) {
        gg_lambda_handler_write_error("could not create a request");
        return;
    }
    if (gg_update_thing_shadow(req, "foo", update, &result) != GGE_SUCCESS ||
        result.request_status != GG_REQUEST_SUCCESS) {
        gg_lambda_handler_write_error("shadow update failed");
    } else if (gg_get_thing_shadow(req, "foo", &result) != GGE_SUCCESS ||
               result.request_status != GG_REQUEST_SUCCESS) {
        gg_lambda_handler_write_error("shadow get failed");
    } else {
        answer_with(req);
    }
    gg_request_close(req);
}

int main(void) {
    if (gg_global_init(0) != GGE_SUCCESS) {
        return 1;
    }
    return gg_runtime_start(handler, 0) == GGE_TERMINATE ? 0 : 1;
}
