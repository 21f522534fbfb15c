/*
 * fake_core.h - a scripted stand-in for the Greengrass core's HTTP IPC, for the C tests.
 *
 * It serves the paths of the wire protocol on 127.0.0.1 and records what it is sent:
 *   GET  .../{self}/work         hands out queued work items (waits while there are none)
 *   POST .../{self}/work         records the result of an invocation
 *   PUT  .../{self}/initialized  counts initialisation reports
 *   POST .../{target}            records the call; the GGRouter answers 429 for topic
 *                                "full/queue" and 400 for topic "no/route"
 *   GET  .../{target}            answers the posted body, see fake_core.c for the scripts
 */
#ifndef FAKE_CORE_H
#define FAKE_CORE_H

#include <stddef.h>

typedef struct fake_core fake_core;

/* A recorded request. */
typedef struct fake_call {
    char method[8];
    char path[512];
    char invocation_id[64];
    char invocation_type[32];
    char client_context[2048]; /* base64-decoded */
    char function_error[32];
    char *body;                /* NUL-terminated */
    size_t body_len;
} fake_call;

fake_core *fake_core_start(void);
unsigned short fake_core_port(const fake_core *fc);
/* Queue a work item for the function's long poll. */
void fake_core_add_work(fake_core *fc, const char *id, const char *client_context_b64,
                        const void *payload, size_t len);
/* Wait (up to 20 s) for the result posted for invocation id; 0 when it came. */
int fake_core_wait_result(fake_core *fc, const char *id, fake_call *out);
/* The last call posted to a target other than the function itself; 0 when there was one. */
int fake_core_last_call(fake_core *fc, fake_call *out);
/* Wait (up to 20 s) until n long polls for work are waiting; 0 when they are. */
int fake_core_wait_polls(fake_core *fc, int n);
int fake_core_initialized_count(fake_core *fc);
void fake_call_free(fake_call *c);
void fake_core_stop(fake_core *fc);

#endif
