/*
 * runtime.c - initialisation, configuration, SIGTERM, and the work loop that feeds the handler.
 *
 * Shared state and who may touch it:
 *   g_initialized, g_config           written once by gg_global_init, before any thread exists
 *                                     (its documented contract); read-only afterwards.
 *   g_pipe                            created by gg_runtime_start under g_lock, so a process
 *                                     that forks after gg_global_init shares no pipe.
 *   g_terminated                      written by the SIGTERM handler only, atomically.
 *   g_started, g_current              guarded by g_lock.
 * Everything about one invocation lives in a struct invocation on the worker thread's stack.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define DEFAULT_ROUTER_ARN "arn:aws:lambda:::function:GGRouter"
#define DEFAULT_SHADOW_ARN "arn:aws:lambda:::function:GGShadowService"
#define DEFAULT_SECRETS_ARN "arn:aws:lambda:::function:GGSecretManager:1"
#define DEFAULT_PORT 8000

/* Consecutive failed polls for work after which the loop decides the core is gone. */
#define MAX_POLL_FAILURES 10

/* The invocation the handler is running. */
struct invocation {
    pthread_t thread;   /* the worker thread; handler calls from other threads are refused */
    gg_buf payload;
    size_t read_off;
    gg_buf response;
    gg_buf error;       /* the message given to gg_lambda_handler_write_error */
    int has_error;
};

static int g_initialized;
static gg_config g_config;
static int g_pipe[2] = {-1, -1};
static int g_terminated; /* read and written with __atomic builtins: threads and a handler */

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static int g_started;
static gg_lambda_handler g_handler;
static struct invocation *g_current;

const gg_config *gg_config_get(void) {
    return g_initialized ? &g_config : NULL;
}

int gg_terminate_fd(void) {
    int fd;
    pthread_mutex_lock(&g_lock);
    fd = g_pipe[0];
    pthread_mutex_unlock(&g_lock);
    return fd;
}

int gg_terminated(void) {
    return __atomic_load_n(&g_terminated, __ATOMIC_SEQ_CST) != 0;
}

/* Copy an environment variable, or a default when it is unset or empty (NULL on OOM). */
static char *env_copy(const char *name, const char *fallback) {
    const char *value = getenv(name);
    char *copy;
    if (value == NULL || value[0] == '\0') {
        value = fallback;
    }
    if (value == NULL) {
        return NULL;
    }
    copy = (char *)malloc(strlen(value) + 1);
    if (copy != NULL) {
        strcpy(copy, value);
    }
    return copy;
}

static int set_flags(int fd) {
    int flags = fcntl(fd, F_GETFL, 0);
    return flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
                   fcntl(fd, F_SETFD, FD_CLOEXEC) < 0
               ? -1
               : 0;
}

GG_API gg_error gg_global_init(uint32_t opt) {
    const char *port;
    long value;
    char *end;

    if (opt != 0) {
        return GGE_INVALID_PARAMETER;
    }
    if (g_initialized) {
        return GGE_SUCCESS;
    }
    port = getenv("GG_DAEMON_PORT");
    value = DEFAULT_PORT;
    if (port != NULL && port[0] != '\0') {
        value = strtol(port, &end, 10);
        if (*end != '\0' || value < 1 || value > 65535) {
            gg_log(GG_LOG_ERROR, "GG_DAEMON_PORT is not a TCP port: %s", port);
            return GGE_INVALID_STATE;
        }
    }
    g_config.port = (unsigned short)value;
    /* MY_FUNCTION_ARN stays NULL outside a core; gg_runtime_start reports it. */
    g_config.function_arn = env_copy("MY_FUNCTION_ARN", NULL);
    g_config.auth_token = env_copy("AWS_CONTAINER_AUTHORIZATION_TOKEN", "");
    g_config.router_arn = env_copy("ROUTER_FUNCTION_ARN", DEFAULT_ROUTER_ARN);
    g_config.shadow_arn = env_copy("SHADOW_FUNCTION_ARN", DEFAULT_SHADOW_ARN);
    g_config.secrets_arn = env_copy("SECRETS_MANAGER_FUNCTION_ARN", DEFAULT_SECRETS_ARN);
    if (!g_config.auth_token || !g_config.router_arn || !g_config.shadow_arn ||
        !g_config.secrets_arn) {
        /* Give back the copies that were made, so a later gg_global_init starts clean. */
        free(g_config.function_arn);
        free(g_config.auth_token);
        free(g_config.router_arn);
        free(g_config.shadow_arn);
        free(g_config.secrets_arn);
        memset(&g_config, 0, sizeof g_config);
        return GGE_OUT_OF_MEMORY;
    }
    g_initialized = 1;
    return GGE_SUCCESS;
}

/* SIGTERM: remember it and make the pipe readable (for good: nobody drains it). */
static void on_sigterm(int sig) {
    int saved = errno;
    (void)sig;
    __atomic_store_n(&g_terminated, 1, __ATOMIC_SEQ_CST); /* lock-free, so async-signal-safe */
    if (write(g_pipe[1], "T", 1) < 0) {
        /* The pipe is full, so it is readable already. */
    }
    errno = saved;
}

/* Sleep up to ms milliseconds, or until SIGTERM arrives. */
static void nap(int ms) {
    struct pollfd p;
    p.fd = g_pipe[0];
    p.events = POLLIN;
    p.revents = 0;
    /* An error or EINTR only ends the nap early: the work loop checks the flag itself. */
    (void)poll(&p, 1, ms);
}

/* The calling thread's invocation, or NULL outside a handler. */
static struct invocation *current_invocation(void) {
    struct invocation *inv;
    pthread_mutex_lock(&g_lock);
    inv = g_current;
    if (inv != NULL && !pthread_equal(inv->thread, pthread_self())) {
        inv = NULL;
    }
    pthread_mutex_unlock(&g_lock);
    return inv;
}

GG_API gg_error gg_lambda_handler_read(void *buffer, size_t buffer_size, size_t *amount_read) {
    struct invocation *inv;

    if (amount_read == NULL || (buffer == NULL && buffer_size > 0)) {
        return GGE_INVALID_PARAMETER;
    }
    *amount_read = 0;
    inv = current_invocation();
    if (inv == NULL) {
        return GGE_INVALID_STATE;
    }
    *amount_read = gg_buf_read(&inv->payload, &inv->read_off, buffer, buffer_size);
    return GGE_SUCCESS;
}

GG_API gg_error gg_lambda_handler_write_response(const void *response, size_t response_size) {
    struct invocation *inv;

    if (response == NULL && response_size > 0) {
        return GGE_INVALID_PARAMETER;
    }
    inv = current_invocation();
    if (inv == NULL) {
        return GGE_INVALID_STATE;
    }
    /* Several writes make one response, in order. */
    return gg_buf_append(&inv->response, response, response_size) == 0 ? GGE_SUCCESS
                                                                       : GGE_OUT_OF_MEMORY;
}

GG_API gg_error gg_lambda_handler_write_error(const char *error_message) {
    struct invocation *inv;

    if (error_message == NULL) {
        return GGE_INVALID_PARAMETER;
    }
    inv = current_invocation();
    if (inv == NULL) {
        return GGE_INVALID_STATE;
    }
    inv->error.len = 0; /* the last error given is the one reported */
    if (gg_buf_append_str(&inv->error, error_message) != 0) {
        return GGE_OUT_OF_MEMORY;
    }
    inv->has_error = 1;
    return GGE_SUCCESS;
}

/*
 * POST the handler's result (or error) for an invocation to work_path (the function's /work,
 * built once by work_loop); not interrupted by SIGTERM.
 */
static gg_error post_result(gg_conn *conn, const char *work_path, const char *invocation_id,
                            struct invocation *inv) {
    gg_buf body = {NULL, 0, 0};
    gg_header headers[3];
    gg_http_response resp;
    gg_error err = GGE_OUT_OF_MEMORY;
    const gg_buf *out = &inv->response;

    headers[0].name = "Authorization";
    headers[0].value = g_config.auth_token;
    headers[1].name = "X-Amz-InvocationId";
    headers[1].value = invocation_id;
    headers[2].name = "X-Amz-Function-Error";
    headers[2].value = NULL;
    if (inv->has_error) {
        headers[2].value = "Handled";
        if (gg_buf_append_str(&body, "{\"errorMessage\": ") ||
            gg_json_append_string(&body, inv->error.data) || gg_buf_append_str(&body, "}")) {
            goto done;
        }
        out = &body;
    }
    err = gg_http_exchange(conn, g_config.port, -1, "POST", work_path, headers, 3, out->data,
                           out->len, &resp);
    if (err == GGE_SUCCESS && (resp.head.status < 200 || resp.head.status > 299)) {
        gg_log(GG_LOG_ERROR, "the core refused the result of invocation %s: HTTP %d %s",
               invocation_id, resp.head.status, resp.body.data);
    }
    gg_http_response_free(&resp);
done:
    gg_buf_free(&body);
    return err;
}

/* Run the handler on one work item and post its result to work_path. */
static gg_error run_invocation(gg_conn *conn, const char *work_path, gg_http_response *work) {
    struct invocation inv;
    gg_lambda_context cxt;
    gg_buf id = {NULL, 0, 0}, encoded = {NULL, 0, 0}, client_context = {NULL, 0, 0};
    gg_error err = GGE_OUT_OF_MEMORY;

    memset(&inv, 0, sizeof inv);
    inv.thread = pthread_self();
    /* The payload is the work item's body; take it over instead of copying it. */
    inv.payload = work->body;
    memset(&work->body, 0, sizeof work->body);

    if (gg_http_header_copy(work, work->head.invocation_id, &id) ||
        gg_http_header_copy(work, work->head.client_context, &encoded)) {
        goto done;
    }
    if (encoded.len == 0 || gg_base64_decode(&client_context, encoded.data, encoded.len) != 0) {
        if (encoded.len > 0) {
            gg_log(GG_LOG_WARN, "ignoring a client context that is not base64");
        }
        client_context.len = 0;
        if (gg_buf_append_str(&client_context, "{}") != 0) {
            goto done;
        }
    }
    cxt.function_arn = g_config.function_arn;
    cxt.client_context = client_context.data;

    pthread_mutex_lock(&g_lock);
    g_current = &inv;
    pthread_mutex_unlock(&g_lock);
    g_handler(&cxt);
    pthread_mutex_lock(&g_lock);
    g_current = NULL;
    pthread_mutex_unlock(&g_lock);

    if (inv.response.data == NULL && gg_buf_append(&inv.response, "", 0) != 0) {
        goto done;
    }
    err = post_result(conn, work_path, id.data, &inv);
done:
    gg_buf_free(&id);
    gg_buf_free(&encoded);
    gg_buf_free(&client_context);
    gg_buf_free(&inv.payload);
    gg_buf_free(&inv.response);
    gg_buf_free(&inv.error);
    return err;
}

/* Tell the core the function is ready (Greengrass V1's /initialized); failures only logged. */
static void report_initialized(gg_conn *conn) {
    static const char body[] = "{\"Success\": true, \"Response\": \"\"}";
    gg_buf path = {NULL, 0, 0};
    gg_header auth;
    gg_http_response resp;

    memset(&resp, 0, sizeof resp);
    auth.name = "Authorization";
    auth.value = g_config.auth_token;
    if (gg_function_path(&path, g_config.function_arn, "/initialized") == 0 &&
        gg_http_exchange(conn, g_config.port, g_pipe[0], "PUT", path.data, &auth, 1, body,
                         sizeof body - 1, &resp) != GGE_SUCCESS) {
        gg_log(GG_LOG_DEBUG, "could not report initialisation to the core");
    }
    gg_http_response_free(&resp);
    gg_buf_free(&path);
}

/* Poll the core for work and run the handler, until SIGTERM or the core goes away. */
static gg_error work_loop(void) {
    gg_buf path = {NULL, 0, 0};
    gg_conn conn = GG_CONN_INIT; /* one kept-alive connection for polls and results */
    gg_header auth;
    int failures = 0;
    gg_error err = GGE_OUT_OF_MEMORY;

    auth.name = "Authorization";
    auth.value = g_config.auth_token;
    if (gg_function_path(&path, g_config.function_arn, "/work") != 0) {
        return GGE_OUT_OF_MEMORY;
    }
    report_initialized(&conn);
    while (!gg_terminated()) {
        gg_http_response work;
        err = gg_http_exchange(&conn, g_config.port, g_pipe[0], "GET", path.data, &auth, 1, NULL,
                               0, &work);
        if (err == GGE_SUCCESS && work.head.status >= 200 && work.head.status <= 299 &&
            work.head.invocation_id.len > 0) {
            failures = 0;
            err = run_invocation(&conn, path.data, &work);
            if (err != GGE_SUCCESS) {
                gg_log(GG_LOG_ERROR, "could not post an invocation result (error %d)", (int)err);
            }
        } else if (err != GGE_TERMINATE) {
            /* No work item: the core is restarting, gone, or timed the poll out. */
            if (++failures >= MAX_POLL_FAILURES) {
                gg_log(GG_LOG_ERROR, "the core at port %u does not answer; stopping",
                       (unsigned)g_config.port);
                gg_http_response_free(&work);
                err = GGE_INTERNAL_FAILURE;
                break;
            }
            nap(50 << (failures < 5 ? failures : 5));
        }
        gg_http_response_free(&work);
    }
    gg_conn_close(&conn);
    gg_buf_free(&path);
    return gg_terminated() ? GGE_TERMINATE : err;
}

static void *worker_main(void *arg) {
    gg_error err = work_loop();
    (void)arg;
    if (err != GGE_TERMINATE) {
        gg_log(GG_LOG_ERROR, "the runtime thread stopped (error %d)", (int)err);
    }
    return NULL;
}

GG_API gg_error gg_runtime_start(gg_lambda_handler handler, uint32_t opt) {
    struct sigaction sa;
    pthread_t thread;
    pthread_attr_t attr;
    int rc;

    if (handler == NULL || (opt & ~(uint32_t)GG_RT_OPT_ASYNC) != 0) {
        return GGE_INVALID_PARAMETER;
    }
    if (!g_initialized) {
        return GGE_INVALID_STATE;
    }
    if (g_config.function_arn == NULL) {
        gg_log(GG_LOG_ERROR, "MY_FUNCTION_ARN is not set: run this program under a Greengrass core");
        return GGE_INVALID_STATE;
    }
    pthread_mutex_lock(&g_lock);
    rc = g_started;
    if (!rc) {
        /* The self-pipe that wakes every wait once SIGTERM arrives. */
        if (pipe(g_pipe) != 0) {
            pthread_mutex_unlock(&g_lock);
            return GGE_INTERNAL_FAILURE;
        }
        if (set_flags(g_pipe[0]) != 0 || set_flags(g_pipe[1]) != 0) {
            close(g_pipe[0]);
            close(g_pipe[1]);
            g_pipe[0] = g_pipe[1] = -1;
            pthread_mutex_unlock(&g_lock);
            return GGE_INTERNAL_FAILURE;
        }
        g_started = 1;
        g_handler = handler;
    }
    pthread_mutex_unlock(&g_lock);
    if (rc) {
        return GGE_INVALID_STATE; /* one work loop per process */
    }

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigterm;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGTERM, &sa, NULL) != 0) {
        return GGE_INTERNAL_FAILURE;
    }
    if (!(opt & GG_RT_OPT_ASYNC)) {
        return work_loop();
    }
    if (pthread_attr_init(&attr) != 0) {
        return GGE_INTERNAL_FAILURE;
    }
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    rc = pthread_create(&thread, &attr, worker_main, NULL);
    pthread_attr_destroy(&attr);
    return rc == 0 ? GGE_SUCCESS : GGE_INTERNAL_FAILURE;
}
