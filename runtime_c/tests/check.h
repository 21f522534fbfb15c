/*
 * check.h - the assertion macro of the C tests: report the failing line and keep count.
 */
#ifndef GG_CHECK_H
#define GG_CHECK_H

#include <stdio.h>

extern int check_failures;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            check_failures++;                                                         \
        }                                                                             \
    } while (0)

#endif
