/*
 * abi_stub.c - a stand-in for AWS's stub library: the same SONAME and symbol version nodes as
 * the real runtime (link it with exports.map), every body empty. Executables linked against
 * it are bound to the ABI only, as binaries built with AWS's SDK are.
 */
#include <stdio.h>

#include "greengrasssdk.h"

gg_error gg_global_init(uint32_t opt) {
    (void)opt;
    fprintf(stderr, "Loaded stub instead of implementation library!\n");
    return GGE_SUCCESS;
}

gg_error gg_log(gg_log_level level, const char *format, ...) {
    (void)level;
    (void)format;
    return GGE_SUCCESS;
}

gg_error gg_request_init(gg_request *ggreq) {
    (void)ggreq;
    return GGE_SUCCESS;
}

gg_error gg_request_close(gg_request ggreq) {
    (void)ggreq;
    return GGE_SUCCESS;
}

gg_error gg_request_read(gg_request ggreq, void *buffer, size_t buffer_size, size_t *amount_read) {
    (void)ggreq;
    (void)buffer;
    (void)buffer_size;
    (void)amount_read;
    return GGE_SUCCESS;
}

gg_error gg_runtime_start(gg_lambda_handler handler, uint32_t opt) {
    (void)handler;
    (void)opt;
    return GGE_SUCCESS;
}

gg_error gg_lambda_handler_read(void *buffer, size_t buffer_size, size_t *amount_read) {
    (void)buffer;
    (void)buffer_size;
    (void)amount_read;
    return GGE_SUCCESS;
}

gg_error gg_lambda_handler_write_response(const void *response, size_t response_size) {
    (void)response;
    (void)response_size;
    return GGE_SUCCESS;
}

gg_error gg_lambda_handler_write_error(const char *error_message) {
    (void)error_message;
    return GGE_SUCCESS;
}

gg_error gg_invoke(gg_request ggreq, const gg_invoke_options *opts, gg_request_result *result) {
    (void)ggreq;
    (void)opts;
    (void)result;
    return GGE_SUCCESS;
}

gg_error gg_publish_options_init(gg_publish_options *opts) {
    (void)opts;
    return GGE_SUCCESS;
}

gg_error gg_publish_options_free(gg_publish_options opts) {
    (void)opts;
    return GGE_SUCCESS;
}

gg_error gg_publish_options_set_queue_full_policy(gg_publish_options opts,
                                                  gg_queue_full_policy_options policy) {
    (void)opts;
    (void)policy;
    return GGE_SUCCESS;
}

gg_error gg_publish_with_options(gg_request ggreq, const char *topic, const void *payload,
                                 size_t payload_size, const gg_publish_options opts,
                                 gg_request_result *result) {
    (void)ggreq;
    (void)topic;
    (void)payload;
    (void)payload_size;
    (void)opts;
    (void)result;
    return GGE_SUCCESS;
}

gg_error gg_publish(gg_request ggreq, const char *topic, const void *payload, size_t payload_size,
                    gg_request_result *result) {
    return gg_publish_with_options(ggreq, topic, payload, payload_size, NULL, result);
}

gg_error gg_get_thing_shadow(gg_request ggreq, const char *thing_name, gg_request_result *result) {
    (void)ggreq;
    (void)thing_name;
    (void)result;
    return GGE_SUCCESS;
}

gg_error gg_update_thing_shadow(gg_request ggreq, const char *thing_name,
                                const char *update_payload, gg_request_result *result) {
    (void)update_payload;
    return gg_get_thing_shadow(ggreq, thing_name, result);
}

gg_error gg_delete_thing_shadow(gg_request ggreq, const char *thing_name,
                                gg_request_result *result) {
    return gg_get_thing_shadow(ggreq, thing_name, result);
}

gg_error gg_get_secret_value(gg_request ggreq, const char *secret_id, const char *version_id,
                             const char *version_stage, gg_request_result *result) {
    (void)secret_id;
    (void)version_id;
    (void)version_stage;
    return gg_get_thing_shadow(ggreq, "", result);
}
