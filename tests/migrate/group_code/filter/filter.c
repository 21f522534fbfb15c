/* A V1 C Lambda executable: logs each reading it is given and answers with its size. */
#include <stdio.h>
#include <string.h>

#include "greengrasssdk.h"

static void handler(const gg_lambda_context *cxt) {
    char event[512];
    char answer[32];
    size_t n = 0;
    (void)cxt;
    gg_lambda_handler_read(event, sizeof event - 1, &n);
    event[n] = '\0';
    gg_log(GG_LOG_INFO, "filter got %s", event);
    snprintf(answer, sizeof answer, "%zu bytes", n);
    gg_lambda_handler_write_response(answer, strlen(answer));
}

int main(void) {
    gg_global_init(0);
    return gg_runtime_start(handler, 0) == GGE_TERMINATE ? 0 : 1;
}
