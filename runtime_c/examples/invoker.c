/*
 * invoker.c - a handler that invokes the function named by TARGET_FUNCTION_ARN with its own
 * event, logs "Response: <answer> read: <bytes>" and answers "<STATUS>: <answer>", where
 * STATUS is SUCCESS, HANDLED (the target reported an error) or UNHANDLED (it crashed).
 */
#include <stdlib.h>
#include <string.h>

#include "greengrasssdk.h"

static const char *status_name(gg_request_status status) {
    switch (status) {
    case GG_REQUEST_SUCCESS: return "SUCCESS";
    case GG_REQUEST_HANDLED: return "HANDLED";
    case GG_REQUEST_UNHANDLED: return "UNHANDLED";
    case GG_REQUEST_AGAIN: return "AGAIN";
    default: return "UNKNOWN";
    }
}

static void handler(const gg_lambda_context *cxt) {
    char event[256], answer[256];
    size_t event_len = 0, answer_len = 0, n = 0;
    gg_invoke_options opts;
    gg_request req = NULL;
    gg_request_result result;
    (void)cxt;

    gg_lambda_handler_read(event, sizeof event, &event_len);
    memset(&opts, 0, sizeof opts);
    opts.function_arn = getenv("TARGET_FUNCTION_ARN");
    opts.type = GG_INVOKE_REQUEST_RESPONSE;
    opts.payload = event;
    opts.payload_size = event_len;
    if (gg_request_init(&req) != GGE_SUCCESS || gg_invoke(req, &opts, &result) != GGE_SUCCESS) {
        gg_lambda_handler_write_error("could not invoke the target");
        gg_request_close(req);
        return;
    }
    /* Read the answer through the remaining room of the buffer. */
    do {
        gg_request_read(req, answer + answer_len, sizeof answer - 1 - answer_len, &n);
        answer_len += n;
    } while (n > 0 && answer_len < sizeof answer - 1);
    answer[answer_len] = '\0';
    gg_log(GG_LOG_INFO, "Response: %s read: %lu", answer, (unsigned long)answer_len);
    gg_lambda_handler_write_response(status_name(result.request_status),
                                     strlen(status_name(result.request_status)));
    gg_lambda_handler_write_response(": ", 2);
    gg_lambda_handler_write_response(answer, answer_len);
    gg_request_close(req);
}

int main(void) {
    if (gg_global_init(0) != GGE_SUCCESS) {
        return 1;
    }
    return gg_runtime_start(handler, 0) == GGE_TERMINATE ? 0 : 1;
}
