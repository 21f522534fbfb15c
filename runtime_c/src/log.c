/*
 * log.c - gg_log: one printf-style message, one whole log record on stdout.
 *
 * Records have the Python runner's form, "LEVEL where,message", with the program's name as
 * "where" (a C handler has no file:line to give); the core turns each into a log entry. Lines
 * after the first of a multi-line message start with a tab so they stay with their record. A
 * record goes out in one write() so records from two threads never interleave. gg_log needs
 * no initialisation; LOG_LEVEL (DEBUG, INFO, WARN, ERROR, FATAL) filters lower levels.
 */
#define _GNU_SOURCE /* program_invocation_short_name */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static const char *const level_names[] = {"NOTSET", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"};

/* The lowest level LOG_LEVEL lets through (DEBUG when unset or unknown). */
static int min_level(void) {
    const char *env = getenv("LOG_LEVEL");
    int i;
    if (env == NULL) {
        return GG_LOG_DEBUG;
    }
    for (i = GG_LOG_DEBUG; i <= GG_LOG_FATAL; i++) {
        if (strcmp(env, level_names[i]) == 0) {
            return i;
        }
    }
    if (strcmp(env, "WARNING") == 0) {
        return GG_LOG_WARN;
    }
    return strcmp(env, "CRITICAL") == 0 ? GG_LOG_FATAL : GG_LOG_DEBUG;
}

/* Write all of a record; 0 on success. */
static int write_all(const char *p, size_t n) {
    while (n > 0) {
        ssize_t done = write(STDOUT_FILENO, p, n);
        if (done < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        p += done;
        n -= (size_t)done;
    }
    return 0;
}

GG_API gg_error gg_log(gg_log_level level, const char *format, ...) {
    char small[512];
    char *message = small;
    gg_buf record = {NULL, 0, 0};
    va_list ap;
    int len;
    size_t i, start;
    gg_error err = GGE_OUT_OF_MEMORY;

    if (format == NULL || level < GG_LOG_DEBUG || level > GG_LOG_FATAL) {
        return GGE_INVALID_PARAMETER;
    }
    if ((int)level < min_level()) {
        return GGE_SUCCESS;
    }
    va_start(ap, format);
    len = vsnprintf(small, sizeof small, format, ap);
    va_end(ap);
    if (len < 0) {
        return GGE_INVALID_PARAMETER;
    }
    if ((size_t)len >= sizeof small) {
        /* Too long for the stack buffer: format again into one of the right size. */
        message = (char *)malloc((size_t)len + 1);
        if (message == NULL) {
            return GGE_OUT_OF_MEMORY;
        }
        va_start(ap, format);
        vsnprintf(message, (size_t)len + 1, format, ap);
        va_end(ap);
    }
    while (len > 0 && message[len - 1] == '\n') {
        len--; /* the record ends the line itself */
    }
    if (gg_buf_append_str(&record, level_names[level]) || gg_buf_append_str(&record, " ") ||
        gg_buf_append_str(&record, program_invocation_short_name) ||
        gg_buf_append_str(&record, ",")) {
        goto done;
    }
    for (start = 0, i = 0; i <= (size_t)len; i++) {
        if (i == (size_t)len || message[i] == '\n') {
            if (gg_buf_append(&record, message + start, i - start) ||
                gg_buf_append_str(&record, i == (size_t)len ? "\n" : "\n\t")) {
                goto done;
            }
            start = i + 1;
        }
    }
    err = write_all(record.data, record.len) == 0 ? GGE_SUCCESS : GGE_INTERNAL_FAILURE;
done:
    gg_buf_free(&record);
    if (message != small) {
        free(message);
    }
    return err;
}
