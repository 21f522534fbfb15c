/*
 * test_units.c - unit tests of the runtime's pure parts: the HTTP response head parser, the
 * chunked decoder, base64 and the JSON helpers.
 */
#include <string.h>

#include "../src/internal.h"
#include "check.h"

int check_failures;

static long parse(const char *text, gg_http_head *head) {
    return gg_http_parse_head(text, strlen(text), head);
}

static int slice_is(const char *buf, gg_slice s, const char *want) {
    return s.len == strlen(want) && memcmp(buf + s.off, want, s.len) == 0;
}

static void test_head(void) {
    gg_http_head h;
    const char *ok = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nx-amz-invocationid:  abc-1 \r\n"
                     "X-Amz-Client-Context: e30=\r\nX-Amz-Function-Error: Handled\r\n\r\nhello";

    CHECK(parse(ok, &h) == (long)(strlen(ok) - 5));
    CHECK(h.status == 200);
    CHECK(h.content_length == 5);
    CHECK(!h.chunked);
    CHECK(slice_is(ok, h.invocation_id, "abc-1"));
    CHECK(slice_is(ok, h.client_context, "e30="));
    CHECK(slice_is(ok, h.function_error, "Handled"));

    /* Incomplete heads ask for more bytes. */
    CHECK(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n", &h) == 0);
    CHECK(parse("", &h) == 0);
    /* No headers, no reason phrase. */
    CHECK(parse("HTTP/1.0 404\r\n\r\n", &h) == 16 && h.status == 404 && h.content_length == -1);
    /* Chunked wins over a length. */
    CHECK(parse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
                &h) > 0);
    CHECK(h.chunked && h.content_length == -1);

    /* Whether the connection stays open afterwards. */
    CHECK(parse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", &h) > 0 && !h.close);
    CHECK(parse("HTTP/1.1 200 OK\r\nconnection: Close\r\n\r\n", &h) > 0 && h.close);
    CHECK(parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", &h) > 0 && h.close);

    /* Malformed heads are refused. */
    CHECK(parse("HTTP/2 200 OK\r\n\r\n", &h) == -1);
    CHECK(parse("HTTP/1.1 2x0 OK\r\n\r\n", &h) == -1);
    CHECK(parse("HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", &h) == -1);
    CHECK(parse("HTTP/1.1 200 OK\r\n: empty name\r\n\r\n", &h) == -1);
    CHECK(parse("HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n", &h) == -1);
    CHECK(parse("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", &h) == -1);
    CHECK(parse("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", &h) == -1);
    CHECK(parse("HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n", &h) == -1);
    CHECK(parse("HTTP/1.1 200 OK\r\nA: b\nc\r\n\r\n", &h) == -1);
}

/* Decode a chunked body fed n bytes at a time; returns the feed's final result. */
static int dechunk(const char *body, size_t step, gg_buf *out) {
    gg_chunked c;
    size_t off = 0, len = strlen(body);
    int rc = 0;

    memset(&c, 0, sizeof c);
    while (off < len && rc == 0) {
        size_t n = len - off < step ? len - off : step, used = 0;
        rc = gg_chunked_feed(&c, body + off, n, &used, out);
        off += used;
    }
    return rc;
}

static void test_chunked(void) {
    const char *body = "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nTrailer: x\r\n\r\n";
    size_t step;

    for (step = 1; step <= strlen(body); step++) {
        gg_buf out = {NULL, 0, 0};
        CHECK(dechunk(body, step, &out) == 1);
        CHECK(out.len == 12 && memcmp(out.data, "hello, world", 12) == 0);
        gg_buf_free(&out);
    }
    {
        gg_buf out = {NULL, 0, 0};
        CHECK(dechunk("A\r\n0123456789\r\n0\r\n\r\n", 4, &out) == 1 && out.len == 10);
        CHECK(dechunk("5\r\nhelloX\r\n", 64, &out) == -1);  /* data not followed by CRLF */
        gg_buf_free(&out);
        CHECK(dechunk("g\r\n", 64, &out) == -1);            /* not hex */
        CHECK(dechunk("\r\n", 64, &out) == -1);             /* no size */
        CHECK(dechunk("FFFFFFFFFFFF\r\n", 64, &out) == -1); /* beyond the body limit */
        CHECK(dechunk("5\r\nhel", 64, &out) == 0);          /* needs more */
        gg_buf_free(&out);
    }
}

static void test_base64(void) {
    const char *samples[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    const char *encoded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    size_t i;

    for (i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        gg_buf enc = {NULL, 0, 0}, dec = {NULL, 0, 0};
        CHECK(gg_base64_encode(&enc, samples[i], strlen(samples[i])) == 0);
        CHECK(strcmp(enc.data, encoded[i]) == 0);
        CHECK(gg_base64_decode(&dec, enc.data, enc.len) == 0);
        CHECK(strcmp(dec.data, samples[i]) == 0);
        gg_buf_free(&enc);
        gg_buf_free(&dec);
    }
    CHECK(gg_base64_valid("e30="));
    CHECK(!gg_base64_valid("e30"));
    CHECK(!gg_base64_valid("e3=0"));
    CHECK(!gg_base64_valid("a==="));
    CHECK(!gg_base64_valid("e30*"));
}

static void test_json(void) {
    gg_buf out = {NULL, 0, 0};
    const char *shadow_error = "{\"code\": 404, \"message\": \"No shadow exists\"}";
    const char *doc = "{\"state\": {\"code\": 1, \"message\": \"x\"}, \"s\": \"code\"}";

    CHECK(gg_json_append_string(&out, "a\"b\\c\n\x01\xc3\xa9") == 0);
    CHECK(strcmp(out.data, "\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\"") == 0);
    gg_buf_free(&out);

    CHECK(gg_json_has_top_key(shadow_error, strlen(shadow_error), "code"));
    CHECK(gg_json_has_top_key(shadow_error, strlen(shadow_error), "message"));
    CHECK(!gg_json_has_top_key(doc, strlen(doc), "code")); /* only nested, or as a value */
    CHECK(gg_json_has_top_key(doc, strlen(doc), "s"));
    CHECK(!gg_json_has_top_key("[\"code\"]", 8, "code"));
    CHECK(!gg_json_has_top_key("", 0, "code"));
}

int main(void) {
    test_head();
    test_chunked();
    test_base64();
    test_json();
    if (check_failures) {
        fprintf(stderr, "test_units: %d checks failed\n", check_failures);
        return 1;
    }
    printf("test_units: all checks passed\n");
    return 0;
}
