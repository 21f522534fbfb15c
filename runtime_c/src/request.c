/*
 * request.c - gg_request and the calls a function makes to the core: invoke, publish, shadow
 * and secrets. They all ride on one exchange (see call_core): POST the work to the target's
 * path, then, for RequestResponse calls, GET its result by invocation id. A request keeps the
 * body of its last answer for gg_request_read.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct _gg_request {
    gg_buf body;      /* the body of the last answer (result or error text) */
    size_t read_off;  /* how much of it gg_request_read handed out */
    gg_conn conn;     /* the request's kept-alive connection to the core */
};

struct _gg_publish_options {
    gg_queue_full_policy_options queue_full_policy;
};

int gg_function_path(gg_buf *out, const char *arn, const char *suffix) {
    return gg_buf_append_str(out, "/2016-11-01/functions/") || gg_buf_append_str(out, arn) ||
                   gg_buf_append_str(out, suffix)
               ? -1
               : 0;
}

GG_API gg_error gg_request_init(gg_request *ggreq) {
    if (ggreq == NULL) {
        return GGE_INVALID_PARAMETER;
    }
    *ggreq = NULL;
    if (gg_config_get() == NULL) {
        return GGE_INVALID_STATE;
    }
    *ggreq = (gg_request)calloc(1, sizeof **ggreq);
    if (*ggreq == NULL) {
        return GGE_OUT_OF_MEMORY;
    }
    (*ggreq)->conn.fd = -1;
    return GGE_SUCCESS;
}

GG_API gg_error gg_request_close(gg_request ggreq) {
    if (ggreq != NULL) {
        gg_conn_close(&ggreq->conn);
        gg_buf_free(&ggreq->body);
        free(ggreq);
    }
    return GGE_SUCCESS;
}

GG_API gg_error gg_request_read(gg_request ggreq, void *buffer, size_t buffer_size,
                                size_t *amount_read) {
    if (ggreq == NULL || amount_read == NULL || (buffer == NULL && buffer_size > 0)) {
        return GGE_INVALID_PARAMETER;
    }
    *amount_read = gg_buf_read(&ggreq->body, &ggreq->read_off, buffer, buffer_size);
    return GGE_SUCCESS;
}

/* Keep an answer's body in the request for gg_request_read (taking the buffer over). */
static void keep_body(gg_request ggreq, gg_http_response *resp) {
    gg_buf_free(&ggreq->body);
    ggreq->body = resp->body;
    ggreq->read_off = 0;
    memset(&resp->body, 0, sizeof resp->body);
}

static int is_2xx(int status) {
    return status >= 200 && status <= 299;
}

/* What the core's answer means for the caller. */
static gg_request_status status_of(const gg_http_response *resp) {
    const gg_slice fe = resp->head.function_error;
    if (fe.len > 0) {
        const char *v = resp->raw.data + fe.off;
        return fe.len == 7 && memcmp(v, "Handled", 7) == 0 ? GG_REQUEST_HANDLED
                                                            : GG_REQUEST_UNHANDLED;
    }
    if (resp->head.status == 429) {
        return GG_REQUEST_AGAIN; /* the core's queue for the target is full */
    }
    return is_2xx(resp->head.status) ? GG_REQUEST_SUCCESS : GG_REQUEST_UNHANDLED;
}

/*
 * Post work to a target and, for RequestResponse, fetch its result. client_context is base64
 * text or NULL. On GGE_SUCCESS, result says what came of it and ggreq holds the answer's body.
 */
static gg_error call_core(gg_request ggreq, const char *target, gg_invoke_type type,
                          const char *client_context, const void *payload, size_t payload_size,
                          gg_request_result *result) {
    const gg_config *cfg = gg_config_get();
    gg_buf path = {NULL, 0, 0}, id = {NULL, 0, 0};
    gg_header headers[3];
    gg_http_response resp;
    gg_error err;

    memset(&resp, 0, sizeof resp);
    ggreq->body.len = 0;
    ggreq->read_off = 0;
    if (gg_terminated()) {
        return GGE_TERMINATE;
    }
    if (gg_function_path(&path, target, "") != 0) {
        return GGE_OUT_OF_MEMORY;
    }
    headers[0].name = "Authorization";
    headers[0].value = cfg->auth_token;
    headers[1].name = "X-Amz-Invocation-Type";
    headers[1].value = type == GG_INVOKE_EVENT ? "Event" : "RequestResponse";
    headers[2].name = "X-Amz-Client-Context";
    headers[2].value = client_context && client_context[0] ? client_context : NULL;
    err = gg_http_exchange(&ggreq->conn, cfg->port, gg_terminate_fd(), "POST", path.data, headers,
                           3, payload, payload_size, &resp);
    if (err != GGE_SUCCESS) {
        goto done;
    }
    if (!is_2xx(resp.head.status) || type == GG_INVOKE_EVENT) {
        /* Refused (no route, queue full...) or fire-and-forget: this answer is the outcome. */
        result->request_status = status_of(&resp);
        keep_body(ggreq, &resp);
        goto done;
    }
    if (resp.head.invocation_id.len == 0 || gg_http_header_copy(&resp, resp.head.invocation_id, &id)) {
        err = resp.head.invocation_id.len == 0 ? GGE_INTERNAL_FAILURE : GGE_OUT_OF_MEMORY;
        goto done;
    }
    gg_http_response_free(&resp);
    headers[1].name = "X-Amz-InvocationId";
    headers[1].value = id.data;
    err = gg_http_exchange(&ggreq->conn, cfg->port, gg_terminate_fd(), "GET", path.data, headers,
                           2, NULL, 0, &resp);
    if (err == GGE_SUCCESS) {
        result->request_status = status_of(&resp);
        keep_body(ggreq, &resp);
    }
done:
    gg_http_response_free(&resp);
    gg_buf_free(&path);
    gg_buf_free(&id);
    return err;
}

/* Check what every call needs: an initialised library, a request and a result. */
static gg_error check_call(gg_request ggreq, gg_request_result *result) {
    if (ggreq == NULL || result == NULL) {
        return GGE_INVALID_PARAMETER;
    }
    result->request_status = GG_REQUEST_UNKNOWN;
    return gg_config_get() == NULL ? GGE_INVALID_STATE : GGE_SUCCESS;
}

/* Count the colon-separated fields of an ARN. */
static int arn_fields(const char *arn) {
    int n = 1;
    for (; *arn; arn++) {
        n += *arn == ':';
    }
    return n;
}

GG_API gg_error gg_invoke(gg_request ggreq, const gg_invoke_options *opts,
                          gg_request_result *result) {
    gg_buf arn = {NULL, 0, 0};
    gg_error err = check_call(ggreq, result);

    if (err != GGE_SUCCESS) {
        return err;
    }
    if (opts == NULL || opts->function_arn == NULL || opts->function_arn[0] == '\0' ||
        (opts->payload == NULL && opts->payload_size > 0) ||
        (opts->type != GG_INVOKE_EVENT && opts->type != GG_INVOKE_REQUEST_RESPONSE) ||
        (opts->customer_context && opts->customer_context[0] &&
         !gg_base64_valid(opts->customer_context))) {
        return GGE_INVALID_PARAMETER;
    }
    if (gg_buf_append_str(&arn, opts->function_arn) != 0) {
        return GGE_OUT_OF_MEMORY;
    }
    /* A qualifier completes an unqualified ARN (7 fields) and must agree with a qualified one. */
    if (opts->qualifier != NULL && opts->qualifier[0] != '\0') {
        if (arn_fields(opts->function_arn) == 7) {
            if (gg_buf_append_str(&arn, ":") || gg_buf_append_str(&arn, opts->qualifier)) {
                gg_buf_free(&arn);
                return GGE_OUT_OF_MEMORY;
            }
        } else {
            const char *own = strrchr(opts->function_arn, ':') + 1;
            if (strcmp(own, opts->qualifier) != 0) {
                gg_buf_free(&arn);
                return GGE_INVALID_PARAMETER;
            }
        }
    }
    err = call_core(ggreq, arn.data, opts->type, opts->customer_context, opts->payload,
                    opts->payload_size, result);
    gg_buf_free(&arn);
    return err;
}

GG_API gg_error gg_publish_options_init(gg_publish_options *opts) {
    if (opts == NULL) {
        return GGE_INVALID_PARAMETER;
    }
    *opts = (gg_publish_options)calloc(1, sizeof **opts);
    if (*opts == NULL) {
        return GGE_OUT_OF_MEMORY;
    }
    (*opts)->queue_full_policy = GG_QUEUE_FULL_POLICY_BEST_EFFORT;
    return GGE_SUCCESS;
}

GG_API gg_error gg_publish_options_free(gg_publish_options opts) {
    free(opts);
    return GGE_SUCCESS;
}

GG_API gg_error gg_publish_options_set_queue_full_policy(gg_publish_options opts,
                                                         gg_queue_full_policy_options policy) {
    if (opts == NULL || (policy != GG_QUEUE_FULL_POLICY_BEST_EFFORT &&
                         policy != GG_QUEUE_FULL_POLICY_ALL_OR_ERROR)) {
        return GGE_INVALID_PARAMETER;
    }
    opts->queue_full_policy = policy;
    return GGE_SUCCESS;
}

/* Base64 of {"custom": {<fields>}} where fields alternate JSON key and string value. */
static int custom_context(gg_buf *out, const char *const *fields, size_t n) {
    gg_buf json = {NULL, 0, 0};
    size_t i;
    int rc = gg_buf_append_str(&json, "{\"custom\": {");
    for (i = 0; rc == 0 && i + 1 < n; i += 2) {
        rc = (i > 0 && gg_buf_append_str(&json, ", ")) || gg_json_append_string(&json, fields[i]) ||
             gg_buf_append_str(&json, ": ") || gg_json_append_string(&json, fields[i + 1]);
    }
    rc = rc || gg_buf_append_str(&json, "}}") || gg_base64_encode(out, json.data, json.len);
    gg_buf_free(&json);
    return rc ? -1 : 0;
}

GG_API gg_error gg_publish_with_options(gg_request ggreq, const char *topic, const void *payload,
                                        size_t payload_size, const gg_publish_options opts,
                                        gg_request_result *result) {
    const char *fields[6];
    gg_buf context = {NULL, 0, 0};
    gg_error err = check_call(ggreq, result);
    const gg_config *cfg;

    if (err != GGE_SUCCESS) {
        return err;
    }
    if (topic == NULL || topic[0] == '\0' || (payload == NULL && payload_size > 0)) {
        return GGE_INVALID_PARAMETER;
    }
    cfg = gg_config_get();
    fields[0] = "source";
    fields[1] = cfg->function_arn ? cfg->function_arn : "";
    fields[2] = "subject";
    fields[3] = topic;
    fields[4] = "queueFullPolicy";
    fields[5] = opts == NULL ? ""
                : opts->queue_full_policy == GG_QUEUE_FULL_POLICY_ALL_OR_ERROR ? "AllOrError"
                                                                              : "BestEffort";
    if (custom_context(&context, fields, 6) != 0) {
        return GGE_OUT_OF_MEMORY;
    }
    err = call_core(ggreq, cfg->router_arn, GG_INVOKE_EVENT, context.data, payload, payload_size,
                    result);
    gg_buf_free(&context);
    return err;
}

GG_API gg_error gg_publish(gg_request ggreq, const char *topic, const void *payload,
                           size_t payload_size, gg_request_result *result) {
    return gg_publish_with_options(ggreq, topic, payload, payload_size, NULL, result);
}

/*
 * A system service (shadow, secrets) can report a failure in a successful answer's body, as an
 * error document: when that body has both keys at its top, the call counts as a handled error.
 */
static void mark_service_error(gg_request ggreq, gg_error err, gg_request_result *result,
                               const char *key, const char *other_key) {
    if (err == GGE_SUCCESS && result->request_status == GG_REQUEST_SUCCESS &&
        gg_json_has_top_key(ggreq->body.data, ggreq->body.len, key) &&
        gg_json_has_top_key(ggreq->body.data, ggreq->body.len, other_key)) {
        result->request_status = GG_REQUEST_HANDLED;
    }
}

/* A shadow operation: RequestResponse to the shadow service with the topic as subject. */
static gg_error shadow_call(gg_request ggreq, const char *thing_name, const char *op,
                            const char *document, gg_request_result *result) {
    const char *fields[2];
    gg_buf subject = {NULL, 0, 0}, context = {NULL, 0, 0};
    gg_error err = check_call(ggreq, result);

    if (err != GGE_SUCCESS) {
        return err;
    }
    if (thing_name == NULL || thing_name[0] == '\0') {
        return GGE_INVALID_PARAMETER;
    }
    fields[0] = "subject";
    if (gg_buf_append_str(&subject, "$aws/things/") || gg_buf_append_str(&subject, thing_name) ||
        gg_buf_append_str(&subject, "/shadow/") || gg_buf_append_str(&subject, op)) {
        gg_buf_free(&subject);
        return GGE_OUT_OF_MEMORY;
    }
    fields[1] = subject.data;
    if (custom_context(&context, fields, 2) != 0) {
        err = GGE_OUT_OF_MEMORY;
    } else {
        err = call_core(ggreq, gg_config_get()->shadow_arn, GG_INVOKE_REQUEST_RESPONSE,
                        context.data, document, strlen(document), result);
    }
    /* The shadow service answers errors as a JSON body with "code" and "message". */
    mark_service_error(ggreq, err, result, "code", "message");
    gg_buf_free(&subject);
    gg_buf_free(&context);
    return err;
}

GG_API gg_error gg_get_thing_shadow(gg_request ggreq, const char *thing_name,
                                    gg_request_result *result) {
    return shadow_call(ggreq, thing_name, "get", "", result);
}

GG_API gg_error gg_update_thing_shadow(gg_request ggreq, const char *thing_name,
                                       const char *update_payload, gg_request_result *result) {
    if (update_payload == NULL) {
        return GGE_INVALID_PARAMETER;
    }
    return shadow_call(ggreq, thing_name, "update", update_payload, result);
}

GG_API gg_error gg_delete_thing_shadow(gg_request ggreq, const char *thing_name,
                                       gg_request_result *result) {
    return shadow_call(ggreq, thing_name, "delete", "", result);
}

GG_API gg_error gg_get_secret_value(gg_request ggreq, const char *secret_id,
                                    const char *version_id, const char *version_stage,
                                    gg_request_result *result) {
    gg_buf body = {NULL, 0, 0};
    gg_error err = check_call(ggreq, result);
    int rc;

    if (err != GGE_SUCCESS) {
        return err;
    }
    if (secret_id == NULL || secret_id[0] == '\0' ||
        (version_id && version_id[0] && version_stage && version_stage[0])) {
        return GGE_INVALID_PARAMETER; /* a version id and a stage exclude each other */
    }
    rc = gg_buf_append_str(&body, "{\"SecretId\": ") || gg_json_append_string(&body, secret_id);
    if (version_id && version_id[0]) {
        rc = rc || gg_buf_append_str(&body, ", \"VersionId\": ") ||
             gg_json_append_string(&body, version_id);
    } else if (version_stage && version_stage[0]) {
        rc = rc || gg_buf_append_str(&body, ", \"VersionStage\": ") ||
             gg_json_append_string(&body, version_stage);
    }
    if (rc || gg_buf_append_str(&body, "}")) {
        gg_buf_free(&body);
        return GGE_OUT_OF_MEMORY;
    }
    err = call_core(ggreq, gg_config_get()->secrets_arn, GG_INVOKE_REQUEST_RESPONSE, NULL,
                    body.data, body.len, result);
    /* The secrets service answers errors as a JSON body with "Status" and "Message". */
    mark_service_error(ggreq, err, result, "Status", "Message");
    gg_buf_free(&body);
    return err;
}
