/*
 * Programs written for AWS's header use ssize_t, malloc and EXIT_SUCCESS with only
 * greengrasssdk.h included (AWS's header includes <stdlib.h>, <stdint.h> and <sys/types.h>).
 * This one includes nothing else on purpose.
 *
 * Handler: answers the event upper-cased (ASCII letters), read into a malloc'd buffer.
 */
#include "greengrasssdk.h"

#define CHUNK 16

static void handler(const gg_lambda_context *cxt) {
    size_t capacity = CHUNK;
    size_t used = 0;
    size_t amount_read = 0;
    ssize_t i;
    char *event = (char *)malloc(capacity);
    char *grown;

    (void)cxt;
    if (event == NULL) {
        gg_lambda_handler_write_error("out of memory");
        return;
    }
    do {
        if (used == capacity) {
            grown = (char *)realloc(event, capacity * 2);
            if (grown == NULL) {
                free(event);
                gg_lambda_handler_write_error("out of memory");
                return;
            }
            event = grown;
            capacity *= 2;
        }
        if (gg_lambda_handler_read(event + used, capacity - used, &amount_read) != GGE_SUCCESS) {
            free(event);
            gg_lambda_handler_write_error("read failed");
            return;
        }
        used += amount_read;
    } while (amount_read);

    for (i = 0; i < (ssize_t)used; i++) {
        if (event[i] >= 'a' && event[i] <= 'z') {
            event[i] = (char)(event[i] - 'a' + 'A');
        }
    }
    gg_lambda_handler_write_response(event, used);
    free(event);
}

int main(void) {
    if (gg_global_init(0) != GGE_SUCCESS) {
        return EXIT_FAILURE;
    }
    return gg_runtime_start(handler, 0) == GGE_TERMINATE ? EXIT_SUCCESS : EXIT_FAILURE;
}
