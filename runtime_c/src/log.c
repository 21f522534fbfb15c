/*
 * log.c - gg_log: one printf-style message, one whole line on stderr.
 *
 * Lines look like the Python runner's: "[2026-01-31T12:00:00.123Z][INFO]-message". Each line goes
 * out in a single write() so lines from two threads never interleave. gg_log needs no
 * initialisation; LOG_LEVEL (DEBUG, INFO, WARN, ERROR, FATAL) filters lower levels.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
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

GG_API gg_error gg_log(gg_log_level level, const char *format, ...) {
    char stamp[64], small[512];
    char *line = small;
    struct timeval now;
    struct tm tm;
    time_t secs;
    va_list ap;
    int prefix, body;
    size_t total;

    if (format == NULL || level < GG_LOG_DEBUG || level > GG_LOG_FATAL) {
        return GGE_INVALID_PARAMETER;
    }
    if ((int)level < min_level()) {
        return GGE_SUCCESS;
    }
    gettimeofday(&now, NULL);
    secs = now.tv_sec;
    gmtime_r(&secs, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    prefix = snprintf(small, sizeof small, "[%s.%03dZ][%s]-", stamp, (int)(now.tv_usec / 1000),
                      level_names[level]);

    va_start(ap, format);
    body = vsnprintf(small + prefix, sizeof small - (size_t)prefix, format, ap);
    va_end(ap);
    if (body < 0) {
        return GGE_INVALID_PARAMETER;
    }
    total = (size_t)prefix + (size_t)body + 1; /* with the newline */
    if (total >= sizeof small) {
        /* Too long for the stack buffer: format again into one of the right size. */
        line = (char *)malloc(total + 1);
        if (line == NULL) {
            return GGE_OUT_OF_MEMORY;
        }
        memcpy(line, small, (size_t)prefix);
        va_start(ap, format);
        vsnprintf(line + prefix, total - (size_t)prefix, format, ap);
        va_end(ap);
    }
    /* A message's own trailing newline is not doubled. */
    if (body > 0 && line[total - 2] == '\n') {
        total--;
    } else {
        line[total - 1] = '\n';
    }
    {
        ssize_t rc = write(STDERR_FILENO, line, total);
        if (line != small) {
            free(line);
        }
        return rc == (ssize_t)total ? GGE_SUCCESS : GGE_INTERNAL_FAILURE;
    }
}
