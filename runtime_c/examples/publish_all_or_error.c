/*
 * publish_all_or_error.c - a handler that publishes a 100-byte NUL-padded message to to/cloud
 * with the ALL_OR_ERROR queue-full policy and answers with what came of it.
 */
#include <string.h>

#include "greengrasssdk.h"

static void handler(const gg_lambda_context *cxt) {
    char message[100];
    gg_request req = NULL;
    gg_publish_options opts = NULL;
    gg_request_result result;
    gg_error err;
    (void)cxt;

    memset(message, 0, sizeof message);
    strcpy(message, "{\"reading\": 21.5}");
    if (gg_request_init(&req) != GGE_SUCCESS || gg_publish_options_init(&opts) != GGE_SUCCESS ||
        gg_publish_options_set_queue_full_policy(opts, GG_QUEUE_FULL_POLICY_ALL_OR_ERROR) !=
            GGE_SUCCESS) {
        gg_lambda_handler_write_error("could not prepare the publish");
    } else {
        err = gg_publish_with_options(req, "to/cloud", message, sizeof message, opts, &result);
        if (err != GGE_SUCCESS) {
            gg_lambda_handler_write_error("publish failed");
        } else if (result.request_status == GG_REQUEST_AGAIN) {
            gg_lambda_handler_write_error("queue full, try again later");
        } else if (result.request_status != GG_REQUEST_SUCCESS) {
            gg_lambda_handler_write_error("publish refused by the core");
        } else {
            gg_lambda_handler_write_response("published", 9);
        }
    }
    gg_publish_options_free(opts);
    gg_request_close(req);
}

int main(void) {
    if (gg_global_init(0) != GGE_SUCCESS) {
        return 1;
    }
    return gg_runtime_start(handler, 0) == GGE_TERMINATE ? 0 : 1;
}
