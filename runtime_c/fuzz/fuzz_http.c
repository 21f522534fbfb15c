/*
 * fuzz_http.c - libFuzzer target over everything the runtime parses from the core: the
 * response head, chunked bodies (split at a fuzzer-chosen point), base64 client contexts and
 * the JSON key scan of shadow and secret answers.
 *
 *   clang -fsanitize=fuzzer,address,undefined -Iinclude fuzz/fuzz_http.c src/... && ./a.out
 */
#include <stdint.h>
#include <string.h>

#include "../src/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *text = (const char *)data;
    gg_http_head head;
    long head_len = gg_http_parse_head(text, size, &head);

    if (head_len > 0) {
        /* Slices must stay inside the input. */
        if (head.invocation_id.off + head.invocation_id.len > size ||
            head.client_context.off + head.client_context.len > size ||
            head.function_error.off + head.function_error.len > size) {
            __builtin_trap();
        }
        if (head.client_context.len > 0) {
            gg_buf decoded = {NULL, 0, 0};
            gg_base64_decode(&decoded, text + head.client_context.off, head.client_context.len);
            gg_buf_free(&decoded);
        }
    }
    if (size > 0) {
        /* The first byte picks where to split the rest between two feeds. */
        gg_chunked c;
        gg_buf out = {NULL, 0, 0};
        size_t split = size > 1 ? data[0] % size : 0, used = 0;
        int rc;
        memset(&c, 0, sizeof c);
        rc = gg_chunked_feed(&c, text + 1, split > 0 ? split - 1 : 0, &used, &out);
        if (rc == 0) {
            rc = gg_chunked_feed(&c, text + split, size - split, &used, &out);
        }
        if (out.len > size) {
            __builtin_trap(); /* decoding never grows the data */
        }
        gg_buf_free(&out);
        gg_json_has_top_key(text, size, "code");
    }
    return 0;
}
