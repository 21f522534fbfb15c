/*
 * secret.c - a handler that reads secret foo (its AWSCURRENT version) and logs and answers
 * with the secrets service's answer.
 */
#include "greengrasssdk.h"

static void handler(const gg_lambda_context *cxt) {
    char buffer[256];
    size_t n = 0;
    gg_request req = NULL;
    gg_request_result result;
    (void)cxt;

    if (gg_request_init(&req) != GGE_SUCCESS ||
        gg_get_secret_value(req, "foo", NULL, NULL, &result) != GGE_SUCCESS) {
        gg_lambda_handler_write_error("could not ask for the secret");
    } else if (result.request_status != GG_REQUEST_SUCCESS) {
        gg_lambda_handler_write_error("no such secret");
    } else {
        do {
            gg_request_read(req, buffer, sizeof buffer, &n);
            gg_lambda_handler_write_response(buffer, n);
        } while (n > 0);
        gg_log(GG_LOG_INFO, "read secret foo");
    }
    gg_request_close(req);
}

int main(void) {
    if (gg_global_init(0) != GGE_SUCCESS) {
        return 1;
    }
    return gg_runtime_start(handler, 0) == GGE_TERMINATE ? 0 : 1;
}
