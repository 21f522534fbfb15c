/*
 * greengrasssdk.h - the Greengrass Core SDK for C API, as implemented by gglift.
 *
 * A C Lambda executable includes this header and links libaws-greengrass-core-sdk-c.so.
 * Names, values, types and prototypes match the Greengrass Core SDK for C, so a program
 * written (or already built) for AWS IoT Greengrass V1 builds and runs unchanged.
 *
 * The header is valid C89, C99 and C++. Every function returns a gg_error.
 * Define GREENGRASSSDK_CHECK_LOG_FORMAT before including it to have GCC and Clang check
 * gg_log's arguments against its format string.
 */
#ifndef _GREENGRASS_SDK_H_
#define _GREENGRASS_SDK_H_

/* What AWS's header includes: programs written for it use size_t, ssize_t, malloc and
 * EXIT_SUCCESS with only greengrasssdk.h included. */
#include <stddef.h>
#include <stdlib.h>
#include <stdint.h> /* uint32_t; glibc provides it in C89 mode too */
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Result of every API call: whether the call itself worked (not what the remote side said). */
typedef enum gg_error {
    GGE_SUCCESS = 0,
    GGE_OUT_OF_MEMORY,
    GGE_INVALID_PARAMETER,
    GGE_INVALID_STATE,
    GGE_INTERNAL_FAILURE,
    GGE_TERMINATE,
    GGE_RESERVED_MAX,
    GGE_RESERVED_PAD = 0x7FFFFFFF
} gg_error;

/* What the core or the remote function made of a request. */
typedef enum gg_request_status {
    GG_REQUEST_SUCCESS = 0,   /* done; the body is the result */
    GG_REQUEST_HANDLED,       /* the function reported an error; the body is its message */
    GG_REQUEST_UNHANDLED,     /* the core reported an error (crash, timeout, no route) */
    GG_REQUEST_UNKNOWN,
    GG_REQUEST_AGAIN,         /* a queue was full (ALL_OR_ERROR publish): try again later */
    GG_REQUEST_RESERVED_MAX,
    GG_REQUEST_RESERVED_PAD = 0x7FFFFFFF
} gg_request_status;

typedef enum gg_invoke_type {
    GG_INVOKE_EVENT = 0,
    GG_INVOKE_REQUEST_RESPONSE,
    GG_INVOKE_RESERVED_MAX,
    GG_INVOKE_RESERVED_PAD = 0x7FFFFFFF
} gg_invoke_type;

typedef enum gg_runtime_opt {
    GG_RT_OPT_ASYNC = 0x1,    /* run the work loop on its own thread */
    GG_RT_OPT_RESERVED_PAD = 0x7FFFFFFF
} gg_runtime_opt;

typedef enum gg_queue_full_policy_options {
    GG_QUEUE_FULL_POLICY_BEST_EFFORT = 0,
    GG_QUEUE_FULL_POLICY_ALL_OR_ERROR,
    GG_QUEUE_FULL_POLICY_RESERVED_MAX,
    GG_QUEUE_FULL_POLICY_RESERVED_PAD = 0x7FFFFFFF
} gg_queue_full_policy_options;

typedef enum gg_log_level {
    GG_LOG_RESERVED_NOTSET = 0,
    GG_LOG_DEBUG,
    GG_LOG_INFO,
    GG_LOG_WARN,
    GG_LOG_ERROR,
    GG_LOG_FATAL,
    GG_LOG_RESERVED_MAX,
    GG_LOG_RESERVED_PAD = 0x7FFFFFFF
} gg_log_level;

/* A reusable handle for calls to the core; it keeps the body of its last response. */
typedef struct _gg_request *gg_request;

/* Options for gg_publish_with_options. */
typedef struct _gg_publish_options *gg_publish_options;

typedef struct gg_request_result {
    gg_request_status request_status;
} gg_request_result;

/* What a handler is told about its invocation. */
typedef struct gg_lambda_context {
    const char *function_arn;     /* the qualified ARN of this function */
    const char *client_context;   /* the caller's client context as JSON text ("{}" if none) */
} gg_lambda_context;

typedef struct gg_invoke_options {
    const char *function_arn;
    const char *customer_context; /* base64 of a JSON document, or NULL */
    const char *qualifier;        /* version or alias, or NULL */
    gg_invoke_type type;
    const void *payload;
    size_t payload_size;
} gg_invoke_options;

typedef void (*gg_lambda_handler)(const gg_lambda_context *cxt);

/* Opt-in: AWS's header has no format attribute, and its own examples pass a size_t to %d, which
 * -Wall -Werror would then reject. Our sources and examples build with the check on. */
#if defined(GREENGRASSSDK_CHECK_LOG_FORMAT) && defined(__GNUC__)
#define GG_PRINTF_FORMAT(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define GG_PRINTF_FORMAT(fmt, args)
#endif

/* Initialise the library; opt must be 0. Call once, before starting any thread. */
gg_error gg_global_init(uint32_t opt);

/* Log a printf-style message at a level; works even before gg_global_init. */
gg_error gg_log(gg_log_level level, const char *format, ...) GG_PRINTF_FORMAT(2, 3);

gg_error gg_request_init(gg_request *ggreq);
gg_error gg_request_close(gg_request ggreq);
/* Read the body of the last response on ggreq; call until *amount_read is 0. */
gg_error gg_request_read(gg_request ggreq, void *buffer, size_t buffer_size, size_t *amount_read);

/* Run the work loop: blocks until SIGTERM (returns GGE_TERMINATE) unless opt has GG_RT_OPT_ASYNC. */
gg_error gg_runtime_start(gg_lambda_handler handler, uint32_t opt);

/* Only valid inside the handler. */
gg_error gg_lambda_handler_read(void *buffer, size_t buffer_size, size_t *amount_read);
gg_error gg_lambda_handler_write_response(const void *response, size_t response_size);
gg_error gg_lambda_handler_write_error(const char *error_message);

gg_error gg_invoke(gg_request ggreq, const gg_invoke_options *opts, gg_request_result *result);

gg_error gg_publish_options_init(gg_publish_options *opts);
gg_error gg_publish_options_free(gg_publish_options opts);
gg_error gg_publish_options_set_queue_full_policy(gg_publish_options opts,
                                                  gg_queue_full_policy_options policy);
gg_error gg_publish_with_options(gg_request ggreq, const char *topic, const void *payload,
                                 size_t payload_size, const gg_publish_options opts,
                                 gg_request_result *result);
gg_error gg_publish(gg_request ggreq, const char *topic, const void *payload, size_t payload_size,
                    gg_request_result *result);

gg_error gg_get_thing_shadow(gg_request ggreq, const char *thing_name, gg_request_result *result);
gg_error gg_update_thing_shadow(gg_request ggreq, const char *thing_name,
                                const char *update_payload, gg_request_result *result);
gg_error gg_delete_thing_shadow(gg_request ggreq, const char *thing_name,
                                gg_request_result *result);

/* NULL version_id and version_stage mean the AWSCURRENT version. */
gg_error gg_get_secret_value(gg_request ggreq, const char *secret_id, const char *version_id,
                             const char *version_stage, gg_request_result *result);

#ifdef __cplusplus
}
#endif

#endif /* _GREENGRASS_SDK_H_ */
