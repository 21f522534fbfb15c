/*
 * A pattern from AWS's own examples that must build and run unchanged against gglift's header:
 * a size_t passed to gg_log's %d and to %.*s (as AWS's simple_handler does). Built with
 * -std=c89/-std=c99 -Wall -Wextra -pedantic -Werror, which a printf format attribute on gg_log
 * would turn into errors.
 *
 * Handler: logs the size of the event and answers "<size> bytes: <event>".
 */
#include <stdio.h>
#include <string.h>
#include "greengrasssdk.h"

#define EVENT_MAX 100

static void handler(const gg_lambda_context *cxt) {
    char event[EVENT_MAX];
    char answer[EVENT_MAX + 32];
    size_t amount_read = 0;
    size_t total = 0;
    int length;

    (void)cxt;
    do {
        if (gg_lambda_handler_read(event + total, sizeof(event) - total, &amount_read) != GGE_SUCCESS) {
            gg_lambda_handler_write_error("read failed");
            return;
        }
        total += amount_read;
    } while (amount_read && total < sizeof(event));

    gg_log(GG_LOG_INFO, "Received message: [%.*s] size: [%d]", total, event, total);
    length = sprintf(answer, "%d bytes: ", (int)total);
    memcpy(answer + length, event, total);
    gg_lambda_handler_write_response(answer, (size_t)length + total);
}

int main(void) {
    if (gg_global_init(0) != GGE_SUCCESS) {
        return 1;
    }
    return gg_runtime_start(handler, 0) == GGE_TERMINATE ? 0 : 1;
}
