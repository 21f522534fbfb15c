/*
 * test_runtime.c - the public API against a scripted core (fake_core.c): argument and state
 * checks, the work loop with ASYNC and blocking runtimes, handler I/O, invoke, publish,
 * shadow, secrets, chunked answers and SIGTERM.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "greengrasssdk.h"
#include "../src/internal.h"
#include "check.h"
#include "fake_core.h"

#define SELF_ARN "arn:aws:lambda:us-east-1:123456789012:function:self:1"

int check_failures;
static fake_core *core;

/* Read a request's whole body through a small buffer; returns a malloc'd string. */
static char *read_all(gg_request req) {
    gg_buf all = {NULL, 0, 0};
    char small[4];
    size_t n;
    do {
        CHECK(gg_request_read(req, small, sizeof small, &n) == GGE_SUCCESS);
        CHECK(gg_buf_append(&all, small, n) == 0);
    } while (n > 0);
    return all.data ? all.data : (char *)calloc(1, 1);
}

/* Handler I/O from another thread than the handler's is refused. */
static void *other_thread(void *arg) {
    char buf[4];
    size_t n;
    int *ok = (int *)arg;
    *ok = gg_lambda_handler_read(buf, sizeof buf, &n) == GGE_INVALID_STATE &&
          gg_lambda_handler_write_response("x", 1) == GGE_INVALID_STATE &&
          gg_lambda_handler_write_error("x") == GGE_INVALID_STATE;
    return NULL;
}

/* The handler used by every runtime test; what it does depends on the payload. */
static void handler(const gg_lambda_context *cxt) {
    char buf[7];
    size_t n;
    gg_buf payload = {NULL, 0, 0};

    /* Read through a buffer smaller than the payload. */
    do {
        CHECK(gg_lambda_handler_read(buf, sizeof buf, &n) == GGE_SUCCESS);
        gg_buf_append(&payload, buf, n);
    } while (n > 0);
    CHECK(gg_lambda_handler_read(buf, 0, &n) == GGE_SUCCESS && n == 0);
    if (payload.data == NULL) {
        gg_buf_append(&payload, "", 0);
    }

    if (strcmp(payload.data, "error") == 0) {
        CHECK(gg_lambda_handler_write_error("first") == GGE_SUCCESS);
        CHECK(gg_lambda_handler_write_error("bad \"input\"\n") == GGE_SUCCESS);
    } else if (strcmp(payload.data, "context") == 0) {
        gg_lambda_handler_write_response(cxt->function_arn, strlen(cxt->function_arn));
        gg_lambda_handler_write_response(" ", 1);
        gg_lambda_handler_write_response(cxt->client_context, strlen(cxt->client_context));
    } else if (strcmp(payload.data, "invoke") == 0) {
        /* A call to the core from inside a handler. */
        gg_request req;
        gg_request_result res;
        gg_invoke_options opts;
        char *answer;
        memset(&opts, 0, sizeof opts);
        opts.function_arn = "arn:aws:lambda:us-east-1:123456789012:function:other:2";
        opts.type = GG_INVOKE_REQUEST_RESPONSE;
        opts.payload = "nested";
        opts.payload_size = 6;
        CHECK(gg_request_init(&req) == GGE_SUCCESS);
        CHECK(gg_invoke(req, &opts, &res) == GGE_SUCCESS);
        answer = read_all(req);
        gg_lambda_handler_write_response(answer, strlen(answer));
        free(answer);
        gg_request_close(req);
    } else if (strcmp(payload.data, "thread") == 0) {
        pthread_t thread;
        int ok = 0;
        CHECK(pthread_create(&thread, NULL, other_thread, &ok) == 0);
        pthread_join(thread, NULL);
        gg_lambda_handler_write_response(ok ? "refused" : "allowed", 7);
    } else if (strcmp(payload.data, "silent") != 0) {
        gg_lambda_handler_write_response("got ", 4);
        gg_lambda_handler_write_response(payload.data, payload.len);
    }
    gg_buf_free(&payload);
}

static void test_before_init(void) {
    gg_request req = NULL;
    gg_request_result res;
    size_t n;
    char buf[4];

    CHECK(gg_log(GG_LOG_INFO, "logging works before init: %d", 42) == GGE_SUCCESS);
    CHECK(gg_log(GG_LOG_INFO, NULL) == GGE_INVALID_PARAMETER);
    CHECK(gg_log((gg_log_level)99, "x") == GGE_INVALID_PARAMETER);
    CHECK(gg_request_init(&req) == GGE_INVALID_STATE && req == NULL);
    CHECK(gg_runtime_start(handler, 0) == GGE_INVALID_STATE);
    CHECK(gg_lambda_handler_read(buf, sizeof buf, &n) == GGE_INVALID_STATE);
    CHECK(gg_lambda_handler_write_response("x", 1) == GGE_INVALID_STATE);
    CHECK(gg_lambda_handler_write_error("x") == GGE_INVALID_STATE);
    CHECK(gg_publish(NULL, "t", "x", 1, &res) == GGE_INVALID_PARAMETER);
    CHECK(gg_global_init(1) == GGE_INVALID_PARAMETER);
}

static void test_arguments(void) {
    gg_request req;
    gg_request_result res;
    gg_publish_options opts;
    gg_invoke_options inv;
    size_t n;
    char buf[4];

    CHECK(gg_request_init(NULL) == GGE_INVALID_PARAMETER);
    CHECK(gg_request_close(NULL) == GGE_SUCCESS);
    CHECK(gg_request_init(&req) == GGE_SUCCESS);
    CHECK(gg_request_read(NULL, buf, 4, &n) == GGE_INVALID_PARAMETER);
    CHECK(gg_request_read(req, NULL, 4, &n) == GGE_INVALID_PARAMETER);
    CHECK(gg_request_read(req, buf, 4, NULL) == GGE_INVALID_PARAMETER);
    CHECK(gg_request_read(req, buf, 4, &n) == GGE_SUCCESS && n == 0);
    CHECK(gg_runtime_start(NULL, 0) == GGE_INVALID_PARAMETER);
    CHECK(gg_runtime_start(handler, 0x80) == GGE_INVALID_PARAMETER);
    CHECK(gg_lambda_handler_read(buf, sizeof buf, NULL) == GGE_INVALID_PARAMETER);
    CHECK(gg_lambda_handler_write_error(NULL) == GGE_INVALID_PARAMETER);
    CHECK(gg_publish(req, NULL, "x", 1, &res) == GGE_INVALID_PARAMETER);
    CHECK(gg_publish(req, "t", NULL, 1, &res) == GGE_INVALID_PARAMETER);
    CHECK(gg_publish(req, "t", "x", 1, NULL) == GGE_INVALID_PARAMETER);
    CHECK(gg_publish_options_init(NULL) == GGE_INVALID_PARAMETER);
    CHECK(gg_publish_options_free(NULL) == GGE_SUCCESS);
    CHECK(gg_publish_options_init(&opts) == GGE_SUCCESS);
    CHECK(gg_publish_options_set_queue_full_policy(NULL, GG_QUEUE_FULL_POLICY_ALL_OR_ERROR) ==
          GGE_INVALID_PARAMETER);
    CHECK(gg_publish_options_set_queue_full_policy(opts, (gg_queue_full_policy_options)7) ==
          GGE_INVALID_PARAMETER);
    gg_publish_options_free(opts);
    CHECK(gg_get_thing_shadow(req, NULL, &res) == GGE_INVALID_PARAMETER);
    CHECK(gg_update_thing_shadow(req, "foo", NULL, &res) == GGE_INVALID_PARAMETER);
    CHECK(gg_delete_thing_shadow(req, "", &res) == GGE_INVALID_PARAMETER);
    CHECK(gg_get_secret_value(req, NULL, NULL, NULL, &res) == GGE_INVALID_PARAMETER);
    CHECK(gg_get_secret_value(req, "s", "v1", "AWSCURRENT", &res) == GGE_INVALID_PARAMETER);
    CHECK(gg_invoke(req, NULL, &res) == GGE_INVALID_PARAMETER);
    memset(&inv, 0, sizeof inv);
    CHECK(gg_invoke(req, &inv, &res) == GGE_INVALID_PARAMETER);
    inv.function_arn = "arn:aws:lambda:us-east-1:123456789012:function:other";
    inv.customer_context = "not base64!";
    CHECK(gg_invoke(req, &inv, &res) == GGE_INVALID_PARAMETER);
    inv.customer_context = NULL;
    inv.function_arn = "arn:aws:lambda:us-east-1:123456789012:function:other:1";
    inv.qualifier = "2";
    CHECK(gg_invoke(req, &inv, &res) == GGE_INVALID_PARAMETER);
    inv.qualifier = NULL;
    inv.type = (gg_invoke_type)5;
    CHECK(gg_invoke(req, &inv, &res) == GGE_INVALID_PARAMETER);
    gg_request_close(req);
}

/* Queue a work item and return the result the handler posted. */
static fake_call run_work(const char *id, const char *context_b64, const char *payload) {
    fake_call result;
    memset(&result, 0, sizeof result);
    fake_core_add_work(core, id, context_b64, payload, strlen(payload));
    CHECK(fake_core_wait_result(core, id, &result) == 0);
    if (result.body == NULL) {
        result.body = (char *)calloc(1, 1);
    }
    return result;
}

static void test_handler_io(void) {
    fake_call r;
    gg_buf big = {NULL, 0, 0};
    size_t i;

    r = run_work("w1", "", "hello world, longer than the buffer");
    CHECK(strcmp(r.body, "got hello world, longer than the buffer") == 0);
    CHECK(r.function_error[0] == '\0');
    fake_call_free(&r);

    r = run_work("w2", "", "error");
    CHECK(strcmp(r.body, "{\"errorMessage\": \"bad \\\"input\\\"\\n\"}") == 0);
    CHECK(strcmp(r.function_error, "Handled") == 0);
    fake_call_free(&r);

    /* {"custom": {"k": "v"}} */
    r = run_work("w3", "eyJjdXN0b20iOiB7ImsiOiAidiJ9fQ==", "context");
    CHECK(strcmp(r.body, SELF_ARN " {\"custom\": {\"k\": \"v\"}}") == 0);
    fake_call_free(&r);

    r = run_work("w4", "", "context");
    CHECK(strcmp(r.body, SELF_ARN " {}") == 0);
    fake_call_free(&r);

    r = run_work("w5", "", "silent");
    CHECK(r.body_len == 0);
    fake_call_free(&r);

    r = run_work("w5b", "", "thread");
    CHECK(strcmp(r.body, "refused") == 0);
    fake_call_free(&r);

    r = run_work("w6", "", "invoke");
    CHECK(strcmp(r.body, "echo:nested") == 0);
    fake_call_free(&r);

    /* A payload far larger than any buffer on the way. */
    for (i = 0; i < 20000; i++) {
        gg_buf_append(&big, "0123456789", 10);
    }
    r = run_work("w7", "", big.data);
    CHECK(r.body_len == big.len + 4 && memcmp(r.body + 4, big.data, big.len) == 0);
    fake_call_free(&r);
    gg_buf_free(&big);
}

static void test_invoke(void) {
    gg_request req;
    gg_request_result res;
    gg_invoke_options opts;
    fake_call call;
    char *body;

    CHECK(gg_request_init(&req) == GGE_SUCCESS);
    memset(&opts, 0, sizeof opts);
    opts.function_arn = "arn:aws:lambda:us-east-1:123456789012:function:other";
    opts.qualifier = "3";
    opts.customer_context = "e30=";
    opts.type = GG_INVOKE_REQUEST_RESPONSE;
    opts.payload = "hello";
    opts.payload_size = 5;
    CHECK(gg_invoke(req, &opts, &res) == GGE_SUCCESS);
    CHECK(res.request_status == GG_REQUEST_SUCCESS);
    body = read_all(req);
    CHECK(strcmp(body, "echo:hello") == 0);
    free(body);
    CHECK(fake_core_last_call(core, &call) == 0);
    CHECK(strcmp(call.path, "/2016-11-01/functions/" "arn:aws:lambda:us-east-1:123456789012:function:other:3") == 0);
    CHECK(strcmp(call.invocation_type, "RequestResponse") == 0);
    CHECK(strcmp(call.client_context, "{}") == 0);
    fake_call_free(&call);

    /* The same request again: errors reported by the function and by the core. */
    opts.payload = "fail-handled";
    opts.payload_size = 12;
    CHECK(gg_invoke(req, &opts, &res) == GGE_SUCCESS);
    CHECK(res.request_status == GG_REQUEST_HANDLED);
    body = read_all(req);
    CHECK(strcmp(body, "{\"errorMessage\": \"boom\"}") == 0);
    free(body);
    opts.payload = "fail-unhandled";
    opts.payload_size = 14;
    CHECK(gg_invoke(req, &opts, &res) == GGE_SUCCESS);
    CHECK(res.request_status == GG_REQUEST_UNHANDLED);

    /* A chunked answer. */
    opts.payload = "chunked:split into pieces";
    opts.payload_size = strlen(opts.payload);
    CHECK(gg_invoke(req, &opts, &res) == GGE_SUCCESS);
    body = read_all(req);
    CHECK(strcmp(body, "split into pieces") == 0);
    free(body);

    /* An event: no result to fetch. */
    opts.type = GG_INVOKE_EVENT;
    opts.payload = "fire";
    opts.payload_size = 4;
    CHECK(gg_invoke(req, &opts, &res) == GGE_SUCCESS && res.request_status == GG_REQUEST_SUCCESS);
    CHECK(fake_core_last_call(core, &call) == 0);
    CHECK(strcmp(call.invocation_type, "Event") == 0 && strcmp(call.body, "fire") == 0);
    fake_call_free(&call);
    gg_request_close(req);
}

static void test_publish(void) {
    gg_request req;
    gg_request_result res;
    gg_publish_options opts;
    fake_call call;
    char *body;
    char message[100];

    CHECK(gg_request_init(&req) == GGE_SUCCESS);
    CHECK(gg_publish(req, "hello/world", "hello world!", 13, &res) == GGE_SUCCESS);
    CHECK(res.request_status == GG_REQUEST_SUCCESS);
    CHECK(fake_core_last_call(core, &call) == 0);
    CHECK(strcmp(call.path, "/2016-11-01/functions/arn:aws:lambda:::function:GGRouter") == 0);
    CHECK(strcmp(call.invocation_type, "Event") == 0);
    CHECK(strcmp(call.client_context, "{\"custom\": {\"source\": \"" SELF_ARN
                                      "\", \"subject\": \"hello/world\", \"queueFullPolicy\": \"\"}}") == 0);
    CHECK(call.body_len == 13 && memcmp(call.body, "hello world!", 13) == 0);
    fake_call_free(&call);

    memset(message, 0, sizeof message);
    strcpy(message, "to the cloud");
    CHECK(gg_publish_options_init(&opts) == GGE_SUCCESS);
    CHECK(gg_publish_options_set_queue_full_policy(opts, GG_QUEUE_FULL_POLICY_ALL_OR_ERROR) ==
          GGE_SUCCESS);
    CHECK(gg_publish_with_options(req, "to/cloud", message, sizeof message, opts, &res) ==
          GGE_SUCCESS);
    CHECK(res.request_status == GG_REQUEST_SUCCESS);
    CHECK(fake_core_last_call(core, &call) == 0);
    CHECK(strstr(call.client_context, "\"queueFullPolicy\": \"AllOrError\"") != NULL);
    CHECK(call.body_len == 100);
    fake_call_free(&call);

    CHECK(gg_publish_with_options(req, "full/queue", "x", 1, opts, &res) == GGE_SUCCESS);
    CHECK(res.request_status == GG_REQUEST_AGAIN);
    gg_publish_options_set_queue_full_policy(opts, GG_QUEUE_FULL_POLICY_BEST_EFFORT);
    CHECK(gg_publish_with_options(req, "q", "x", 1, opts, &res) == GGE_SUCCESS);
    CHECK(fake_core_last_call(core, &call) == 0);
    CHECK(strstr(call.client_context, "\"queueFullPolicy\": \"BestEffort\"") != NULL);
    fake_call_free(&call);
    gg_publish_options_free(opts);

    CHECK(gg_publish(req, "no/route", "x", 1, &res) == GGE_SUCCESS);
    CHECK(res.request_status == GG_REQUEST_UNHANDLED);
    body = read_all(req);
    CHECK(strstr(body, "No subscription exists") == body);
    free(body);
    gg_request_close(req);
}

static void test_shadow_and_secrets(void) {
    gg_request req;
    gg_request_result res;
    fake_call call;
    char *body;
    const char *doc = "{\"state\": {\"desired\": {\"mode\": \"OFF\"}}}";

    CHECK(gg_request_init(&req) == GGE_SUCCESS);
    CHECK(gg_update_thing_shadow(req, "foo", doc, &res) == GGE_SUCCESS);
    CHECK(res.request_status == GG_REQUEST_SUCCESS);
    CHECK(fake_core_last_call(core, &call) == 0);
    CHECK(strcmp(call.path, "/2016-11-01/functions/arn:aws:lambda:::function:GGShadowService") == 0);
    CHECK(strcmp(call.client_context, "{\"custom\": {\"subject\": \"$aws/things/foo/shadow/update\"}}") == 0);
    CHECK(strcmp(call.body, doc) == 0);
    fake_call_free(&call);
    body = read_all(req);
    CHECK(strncmp(body, "echo:{\"state\"", 13) == 0);
    free(body);

    /* An empty body makes the scripted shadow service answer its 404 error document. */
    CHECK(gg_get_thing_shadow(req, "bar", &res) == GGE_SUCCESS);
    CHECK(res.request_status == GG_REQUEST_HANDLED);
    body = read_all(req);
    CHECK(strstr(body, "No shadow exists") != NULL);
    free(body);
    CHECK(gg_delete_thing_shadow(req, "bar", &res) == GGE_SUCCESS);
    CHECK(fake_core_last_call(core, &call) == 0);
    CHECK(strstr(call.client_context, "$aws/things/bar/shadow/delete") != NULL);
    fake_call_free(&call);

    CHECK(gg_get_secret_value(req, "foo", NULL, NULL, &res) == GGE_SUCCESS);
    CHECK(res.request_status == GG_REQUEST_SUCCESS);
    CHECK(fake_core_last_call(core, &call) == 0);
    CHECK(strcmp(call.path, "/2016-11-01/functions/arn:aws:lambda:::function:GGSecretManager:1") == 0);
    CHECK(strcmp(call.body, "{\"SecretId\": \"foo\"}") == 0);
    CHECK(call.client_context[0] == '\0');
    fake_call_free(&call);
    CHECK(gg_get_secret_value(req, "foo", NULL, "AWSPREVIOUS", &res) == GGE_SUCCESS);
    CHECK(fake_core_last_call(core, &call) == 0);
    CHECK(strcmp(call.body, "{\"SecretId\": \"foo\", \"VersionStage\": \"AWSPREVIOUS\"}") == 0);
    fake_call_free(&call);
    gg_request_close(req);
}

/* A blocking runtime in a child process serves one item, then SIGTERM ends it. */
static void test_sigterm_blocking(void) {
    fake_call r;
    int status = 0;
    pid_t pid;

    fake_core_add_work(core, "b1", "", "from the child", 14);
    pid = fork();
    if (pid == 0) {
        _exit((int)gg_runtime_start(handler, 0));
    }
    CHECK(fake_core_wait_result(core, "b1", &r) == 0);
    CHECK(r.body && strcmp(r.body, "got from the child") == 0);
    fake_call_free(&r);
    CHECK(fake_core_wait_polls(core, 1) == 0); /* the child waits for more work */
    kill(pid, SIGTERM);
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == GGE_TERMINATE);
    CHECK(fake_core_wait_polls(core, 0) == 0);
}

int main(void) {
    char port[16];

    test_before_init();
    core = fake_core_start();
    sprintf(port, "%u", (unsigned)fake_core_port(core));
    setenv("GG_DAEMON_PORT", port, 1);
    setenv("MY_FUNCTION_ARN", SELF_ARN, 1);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "token", 1);
    CHECK(gg_global_init(0) == GGE_SUCCESS);
    CHECK(gg_global_init(0) == GGE_SUCCESS);
    test_arguments();
    test_sigterm_blocking();

    CHECK(gg_runtime_start(handler, GG_RT_OPT_ASYNC) == GGE_SUCCESS);
    CHECK(gg_runtime_start(handler, GG_RT_OPT_ASYNC) == GGE_INVALID_STATE);
    test_handler_io();
    test_invoke();
    test_publish();
    test_shadow_and_secrets();
    CHECK(fake_core_initialized_count(core) == 2); /* the child's runtime and this one */

    /* SIGTERM ends the ASYNC loop too; later calls say so. */
    CHECK(fake_core_wait_polls(core, 1) == 0);
    raise(SIGTERM);
    CHECK(fake_core_wait_polls(core, 0) == 0);
    {
        gg_request req;
        gg_request_result res;
        CHECK(gg_request_init(&req) == GGE_SUCCESS);
        CHECK(gg_publish(req, "t", "x", 1, &res) == GGE_TERMINATE);
        gg_request_close(req);
    }
    fake_core_stop(core);
    if (check_failures) {
        fprintf(stderr, "test_runtime: %d checks failed\n", check_failures);
        return 1;
    }
    printf("test_runtime: all checks passed\n");
    return 0;
}
