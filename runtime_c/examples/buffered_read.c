/*
 * buffered_read.c - a blocking handler that logs its ARN and client context, reads the event
 * through a 100-byte buffer (events may be far larger) and answers with the whole event.
 */
#include <stdlib.h>
#include <string.h>

#include "greengrasssdk.h"

static void handler(const gg_lambda_context *cxt) {
    char buffer[100];
    char *event = NULL;
    size_t n = 0, total = 0;

    gg_log(GG_LOG_INFO, "function arn: %s", cxt->function_arn);
    gg_log(GG_LOG_INFO, "client context: %s", cxt->client_context);
    do {
        char *grown;
        if (gg_lambda_handler_read(buffer, sizeof buffer, &n) != GGE_SUCCESS) {
            gg_lambda_handler_write_error("could not read the event");
            free(event);
            return;
        }
        grown = (char *)realloc(event, total + n + 1);
        if (grown == NULL) {
            gg_lambda_handler_write_error("out of memory");
            free(event);
            return;
        }
        event = grown;
        memcpy(event + total, buffer, n);
        total += n;
    } while (n > 0);
    gg_log(GG_LOG_INFO, "read %lu bytes", (unsigned long)total);
    gg_lambda_handler_write_response(event, total);
    free(event);
}

int main(void) {
    gg_error err = gg_global_init(0);
    if (err != GGE_SUCCESS) {
        gg_log(GG_LOG_ERROR, "gg_global_init failed: %d", (int)err);
        return 1;
    }
    err = gg_runtime_start(handler, 0);
    return err == GGE_TERMINATE ? 0 : 1;
}
