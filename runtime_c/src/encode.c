/*
 * encode.c - base64 for client contexts and the little JSON the runtime needs: escaping strings
 * it writes (client contexts, error messages) and spotting the error keys of shadow and secret
 * answers. No JSON library: the runtime never needs a full parser.
 */
#include <string.h>

#include "internal.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int gg_base64_encode(gg_buf *out, const void *in, size_t n) {
    const unsigned char *p = (const unsigned char *)in;
    char quad[4];
    size_t i;

    for (i = 0; i + 2 < n; i += 3) {
        quad[0] = b64_alphabet[p[i] >> 2];
        quad[1] = b64_alphabet[((p[i] & 0x03) << 4) | (p[i + 1] >> 4)];
        quad[2] = b64_alphabet[((p[i + 1] & 0x0f) << 2) | (p[i + 2] >> 6)];
        quad[3] = b64_alphabet[p[i + 2] & 0x3f];
        if (gg_buf_append(out, quad, 4) != 0) {
            return -1;
        }
    }
    if (i < n) {
        unsigned int b1 = i + 1 < n ? (unsigned int)p[i + 1] : 0u;
        quad[0] = b64_alphabet[p[i] >> 2];
        quad[1] = b64_alphabet[((unsigned int)(p[i] & 0x03) << 4) | (b1 >> 4)];
        quad[2] = i + 1 < n ? b64_alphabet[(b1 & 0x0f) << 2] : '=';
        quad[3] = '=';
        if (gg_buf_append(out, quad, 4) != 0) {
            return -1;
        }
    }
    /* An empty input still leaves a valid (empty) string behind. */
    return gg_buf_append(out, "", 0);
}

/* The 6-bit value of a base64 character, or -1. */
static int b64_value(char c) {
    const char *hit;
    if (c == '\0') {
        return -1;
    }
    hit = strchr(b64_alphabet, c);
    return hit ? (int)(hit - b64_alphabet) : -1;
}

int gg_base64_decode(gg_buf *out, const char *in, size_t n) {
    size_t i;

    if (n % 4 != 0) {
        return -1;
    }
    for (i = 0; i < n; i += 4) {
        int v[4];
        unsigned char bytes[3];
        size_t k, count = 3;
        for (k = 0; k < 4; k++) {
            v[k] = b64_value(in[i + k]);
        }
        /* '=' may only pad the last quad: "xx==" or "xxx=". */
        if (i + 4 == n && in[i + 3] == '=') {
            count = in[i + 2] == '=' ? 1 : 2;
            v[3] = 0;
            if (count == 1) {
                v[2] = 0;
            }
        }
        if (v[0] < 0 || v[1] < 0 || v[2] < 0 || v[3] < 0) {
            return -1;
        }
        bytes[0] = (unsigned char)((v[0] << 2) | (v[1] >> 4));
        bytes[1] = (unsigned char)(((v[1] & 0x0f) << 4) | (v[2] >> 2));
        bytes[2] = (unsigned char)(((v[2] & 0x03) << 6) | v[3]);
        if (gg_buf_append(out, bytes, count) != 0) {
            return -1;
        }
    }
    return gg_buf_append(out, "", 0);
}

int gg_base64_valid(const char *s) {
    gg_buf scratch = {NULL, 0, 0};
    int ok = gg_base64_decode(&scratch, s, strlen(s)) == 0;
    gg_buf_free(&scratch);
    return ok;
}

int gg_json_append_string(gg_buf *out, const char *s) {
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;

    if (gg_buf_append(out, "\"", 1) != 0) {
        return -1;
    }
    for (; *p; p++) {
        char esc[7];
        const char *piece = esc;
        size_t len = 2;
        esc[0] = '\\';
        switch (*p) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        default:
            if (*p < 0x20) {
                esc[1] = 'u';
                esc[2] = '0';
                esc[3] = '0';
                esc[4] = hex[*p >> 4];
                esc[5] = hex[*p & 0x0f];
                len = 6;
            } else {
                /* Other bytes, UTF-8 included, are copied as they are. */
                piece = (const char *)p;
                len = 1;
            }
        }
        if (gg_buf_append(out, piece, len) != 0) {
            return -1;
        }
    }
    return gg_buf_append(out, "\"", 1);
}

/* Skip a JSON string starting at json[i] == '"'; returns the index after its closing quote. */
static size_t skip_string(const char *json, size_t len, size_t i) {
    for (i++; i < len; i++) {
        if (json[i] == '\\') {
            i++;
        } else if (json[i] == '"') {
            return i + 1;
        }
    }
    return len;
}

static int is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int gg_json_has_top_key(const char *json, size_t len, const char *key) {
    size_t keylen = strlen(key);
    size_t i = 0;
    int depth = 0;
    int expect_key = 0; /* inside the top object, where the next string is a key */

    while (i < len && is_space(json[i])) {
        i++;
    }
    if (i >= len || json[i] != '{') {
        return 0;
    }
    while (i < len) {
        char c = json[i];
        if (c == '"') {
            size_t end = skip_string(json, len, i);
            if (depth == 1 && expect_key) {
                size_t j = end;
                while (j < len && is_space(json[j])) {
                    j++;
                }
                if (end - i == keylen + 2 && memcmp(json + i + 1, key, keylen) == 0 && j < len &&
                    json[j] == ':') {
                    return 1;
                }
                expect_key = 0;
            }
            i = end;
            continue;
        }
        if (c == '{' || c == '[') {
            depth++;
            expect_key = depth == 1;
        } else if (c == '}' || c == ']') {
            depth--;
            if (depth <= 0) {
                return 0;
            }
        } else if (c == ',' && depth == 1) {
            expect_key = 1;
        }
        i++;
    }
    return 0;
}
