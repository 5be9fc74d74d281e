/* server.c: a gRPC C core server with one thread per call.
 *
 * Terraform sends RPCs in parallel, and a handler may block on the network
 * for a long while, so calls must not wait for each other. The dispatcher
 * thread asks gRPC for one call at a time on the server's completion queue
 * ("generic" requests, which carry the method path), and hands each call it
 * gets to a new detached worker thread. Every call comes with a pluck
 * completion queue of its own, so a worker waits for its call's batches
 * without seeing anyone else's events.
 *
 * Shutdown: server_request_shutdown posts a semaphore that server_run
 * waits on. server_run then starts gRPC's graceful shutdown; the
 * dispatcher sees the shutdown tag once no call is left, drains its queue
 * and exits. server_run waits for it, and for the workers, before
 * destroying anything. */
#include "server.h"

#include "log.h"

#include <errno.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#if __has_include(<grpc/credentials.h>) /* newer gRPC declares the credentials here */
#include <grpc/credentials.h>
#endif
#include <grpc/support/alloc.h>
#include <grpc/support/log.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Long enough for a reply being written to get out, short of the two
 * seconds go-plugin waits after Shutdown before it kills the process. */
#define SHUTDOWN_GRACE_SECONDS 1

/* One call asked of gRPC: filled in when the call arrives, then owned by
 * the worker that serves it. */
typedef struct {
	grpc_call *call;
	grpc_call_details details;
	grpc_metadata_array metadata;
	grpc_completion_queue *cq; /* the call's own; its batches complete here */
} incoming;

/* The reply to one call. body is malloc'd by the handler. */
typedef struct {
	int status;
	uint8_t *body;
	size_t body_len;
	char *error;
} reply;

static struct {
	grpc_server *grpc;
	grpc_completion_queue *cq; /* new calls and the shutdown tag */
	const rpc_method *const *tables;
	pthread_t dispatcher;
	sem_t stop;
	pthread_mutex_t lock;
	pthread_cond_t idle; /* signalled when workers drops to 0 */
	int workers;
} srv = {.lock = PTHREAD_MUTEX_INITIALIZER, .idle = PTHREAD_COND_INITIALIZER};

#define SHUTDOWN_TAG ((void *)&srv)

#ifdef __APPLE__
/* macOS has no unnamed POSIX semaphores: sem_init fails with ENOSYS and
 * sem_wait would return at once. The stop semaphore is a pipe there;
 * write(), like sem_post, may be called from the signal handler. */
#include <unistd.h>
static int stop_pipe[2] = {-1, -1};
#define sem_init(sem, shared, value) pipe(stop_pipe)
#define sem_post(sem) (write(stop_pipe[1], "", 1) == 1 ? 0 : -1)
#define sem_wait(sem) (read(stop_pipe[0], &(char){0}, 1) == 1 ? 0 : -1)
#define sem_destroy(sem) (close(stop_pipe[0]), close(stop_pipe[1]))
#endif

/* gRPC's own log lines (TLS failures, transport errors) would otherwise go
 * to stderr as plain text, which go-plugin files under debug. Newer gRPC
 * (the static release build's, -DWAGTAIL_GRPC_ABSL_LOG) logs through
 * abseil and has no gpr_set_log_function: there an abseil sink built into
 * its library (scripts/release/grpc_log_sink.cc) calls log_from_absl. */
#ifdef WAGTAIL_GRPC_ABSL_LOG
void wagtail_grpc_log_to(void (*function)(int severity, const char *file, int line, const char *message));

/* severity is abseil's: 0 info, 1 warning, 2 error, 3 fatal. */
static void log_from_absl(int severity, const char *file, int line_number, const char *message)
{
	log_level level = severity >= 2 ? LOG_ERROR : severity == 1 ? LOG_WARN : LOG_INFO;
	char line[16];

	snprintf(line, sizeof line, "%d", line_number);
	log_write(level, message, "grpc_file", file, "grpc_line", line, NULL);
}
#else
static void log_from_grpc(gpr_log_func_args *args)
{
	log_level level = args->severity == GPR_LOG_SEVERITY_ERROR  ? LOG_ERROR
			  : args->severity == GPR_LOG_SEVERITY_INFO ? LOG_INFO
								    : LOG_DEBUG;
	char line[16];

	snprintf(line, sizeof line, "%d", args->line);
	log_write(level, args->message, "grpc_file", args->file, "grpc_line", line, NULL);
}
#endif

static void incoming_free(incoming *in)
{
	if (in->call)
		grpc_call_unref(in->call);
	grpc_call_details_destroy(&in->details);
	grpc_metadata_array_destroy(&in->metadata);
	grpc_completion_queue_shutdown(in->cq);
	grpc_completion_queue_destroy(in->cq);
	free(in);
}

/* Asks gRPC for the next call; it arrives on srv.cq tagged with the
 * incoming. After shutdown starts, gRPC fails the request at once (an
 * event with success 0), so the dispatcher frees it there either way. */
static void request_call(void)
{
	incoming *in = calloc(1, sizeof *in);

	if (!in) {
		log_write(LOG_ERROR, "out of memory: the gRPC server stops taking calls", NULL);
		return;
	}
	in->cq = grpc_completion_queue_create_for_pluck(NULL);
	grpc_call_details_init(&in->details);
	grpc_metadata_array_init(&in->metadata);
	if (grpc_server_request_call(srv.grpc, &in->call, &in->details, &in->metadata, in->cq,
				     srv.cq, in) != GRPC_CALL_OK) {
		log_write(LOG_ERROR, "gRPC refused to take calls", NULL);
		incoming_free(in);
	}
}

/* Runs one batch of operations on the call and waits for it to finish. */
static bool run_batch(incoming *in, const grpc_op *ops, size_t count)
{
	grpc_event event;

	if (grpc_call_start_batch(in->call, ops, count, in, NULL) != GRPC_CALL_OK)
		return false;
	event = grpc_completion_queue_pluck(in->cq, in, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
	return event.type == GRPC_OP_COMPLETE && event.success;
}

/* The request message, or NULL if the client sent none (or went away). */
static grpc_byte_buffer *receive_request(incoming *in)
{
	grpc_byte_buffer *request = NULL;
	grpc_op op = {.op = GRPC_OP_RECV_MESSAGE};

	op.data.recv_message.recv_message = &request;
	if (!run_batch(in, &op, 1) && request) {
		grpc_byte_buffer_destroy(request);
		request = NULL;
	}
	return request;
}

static const rpc_method *find_method(const char *path)
{
	for (const rpc_method *const *table = srv.tables; *table; table++)
		for (const rpc_method *method = *table; method->path; method++)
			if (strcmp(method->path, path) == 0)
				return method;
	return NULL;
}

static void reply_error(reply *out, int status, const char *format, const char *path)
{
	out->status = status;
	if (asprintf(&out->error, format, path) < 0)
		out->error = NULL;
}

/* Hands the request to its handler, as one contiguous buffer. */
static void call_handler(const rpc_method *method, grpc_byte_buffer *request, reply *out)
{
	grpc_byte_buffer_reader reader;
	grpc_slice body;

	if (!grpc_byte_buffer_reader_init(&reader, request)) { /* failed to decompress */
		reply_error(out, RPC_INTERNAL, "cannot read the request of %s", method->path);
		return;
	}
	body = grpc_byte_buffer_reader_readall(&reader);
	grpc_byte_buffer_reader_destroy(&reader);
	out->status = method->handler(GRPC_SLICE_START_PTR(body), GRPC_SLICE_LENGTH(body),
				      &out->body, &out->body_len, &out->error);
	grpc_slice_unref(body);
}

/* The response message; takes the reply's body. */
static grpc_byte_buffer *take_body(reply *r)
{
	grpc_slice slice;
	grpc_byte_buffer *message;

	if (r->body_len == 0) {
		free(r->body);
		slice = grpc_empty_slice();
	} else {
		slice = grpc_slice_new(r->body, r->body_len, free); /* no copy */
	}
	r->body = NULL;
	message = grpc_raw_byte_buffer_create(&slice, 1);
	grpc_slice_unref(slice);
	return message;
}

/* Sends headers, the message (on success) and the status in one batch. */
static void send_reply(incoming *in, reply *r)
{
	grpc_op ops[4] = {{.op = GRPC_OP_SEND_INITIAL_METADATA}};
	size_t count = 1;
	grpc_byte_buffer *message = NULL;
	grpc_slice details = grpc_slice_from_copied_string(r->error ? r->error : "");
	int cancelled;

	if (r->status == RPC_OK) {
		message = take_body(r);
		ops[count].op = GRPC_OP_SEND_MESSAGE;
		ops[count++].data.send_message.send_message = message;
	}
	ops[count].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
	ops[count].data.send_status_from_server.status = (grpc_status_code)r->status;
	ops[count++].data.send_status_from_server.status_details = r->error ? &details : NULL;
	ops[count].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
	ops[count++].data.recv_close_on_server.cancelled = &cancelled;
	run_batch(in, ops, count); /* if the client is gone, there is no one to tell */
	if (message)
		grpc_byte_buffer_destroy(message);
	grpc_slice_unref(details);
}

static void serve_call(incoming *in)
{
	char *path = grpc_slice_to_c_string(in->details.method);
	const rpc_method *method = find_method(path);
	grpc_byte_buffer *request = receive_request(in);
	reply r = {0};

	if (!method)
		reply_error(&r, RPC_UNIMPLEMENTED, "unknown method %s", path);
	else if (!request)
		reply_error(&r, RPC_INVALID_ARGUMENT, "no request message for %s", path);
	else
		call_handler(method, request, &r);
	if (r.status != RPC_OK)
		log_write(LOG_DEBUG, "rpc failed", "method", path, "error", r.error, NULL);
	send_reply(in, &r);
	free(r.body);
	free(r.error);
	if (request)
		grpc_byte_buffer_destroy(request);
	gpr_free(path);
	incoming_free(in);
}

static void *worker_main(void *arg)
{
	serve_call(arg);
	pthread_mutex_lock(&srv.lock);
	if (--srv.workers == 0)
		pthread_cond_broadcast(&srv.idle);
	pthread_mutex_unlock(&srv.lock);
	return NULL;
}

static void start_worker(incoming *in)
{
	pthread_attr_t attr;
	pthread_t thread;
	int failed;

	pthread_mutex_lock(&srv.lock);
	srv.workers++;
	pthread_mutex_unlock(&srv.lock);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	failed = pthread_create(&thread, &attr, worker_main, in);
	pthread_attr_destroy(&attr);
	if (failed) /* slower, on this thread, but still served */
		worker_main(in);
}

static void *dispatcher_main(void *unused)
{
	(void)unused;
	request_call();
	for (;;) {
		grpc_event event = grpc_completion_queue_next(
			srv.cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);

		if (event.type == GRPC_QUEUE_SHUTDOWN)
			return NULL;
		if (event.tag == SHUTDOWN_TAG) {
			/* Every request we made has failed by now, so
			 * nothing new will be queued: drain and stop. */
			grpc_completion_queue_shutdown(srv.cq);
		} else if (!event.success) {
			incoming_free(event.tag);
		} else {
			request_call(); /* before serving, so calls never wait on us */
			start_worker(event.tag);
		}
	}
}

static grpc_server_credentials *credentials(const server_config *config)
{
	grpc_ssl_pem_key_cert_pair ours = {config->key_pem, config->cert_pem};

	if (!config->client_cert_pem)
		return grpc_insecure_server_credentials_create();
	/* The client's certificate is self-signed, so it is its own root. */
	return grpc_ssl_server_credentials_create_ex(
		config->client_cert_pem, &ours, 1,
		GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY, NULL);
}

static grpc_server *create_server(void)
{
	/* Unlimited: schemas and states can be large, and the Go client
	 * accepts up to 2 GiB. */
	grpc_arg args[] = {
		{.type = GRPC_ARG_INTEGER, .key = GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, .value.integer = -1},
		{.type = GRPC_ARG_INTEGER, .key = GRPC_ARG_MAX_SEND_MESSAGE_LENGTH, .value.integer = -1},
	};
	grpc_channel_args channel_args = {sizeof args / sizeof args[0], args};

	return grpc_server_create(&channel_args, NULL);
}

/* Undoes server_start when it fails: the server has no calls. */
static void release_unstarted(void)
{
	grpc_server_destroy(srv.grpc);
	grpc_completion_queue_shutdown(srv.cq);
	grpc_completion_queue_destroy(srv.cq);
	sem_destroy(&srv.stop);
	grpc_shutdown_blocking();
}

int server_start(const server_config *config, char **error)
{
	grpc_server_credentials *creds;
	int bound;

#ifdef WAGTAIL_GRPC_ABSL_LOG
	wagtail_grpc_log_to(log_from_absl); /* before grpc_init logs anything */
#else
	gpr_set_log_function(log_from_grpc); /* before grpc_init logs anything */
#endif
	grpc_init();
	sem_init(&srv.stop, 0, 0);
	srv.tables = config->tables;
	srv.cq = grpc_completion_queue_create_for_next(NULL);
	srv.grpc = create_server();
	grpc_server_register_completion_queue(srv.grpc, srv.cq, NULL);
	creds = credentials(config);
	bound = grpc_server_add_http2_port(srv.grpc, config->address, creds);
	grpc_server_credentials_release(creds);
	if (!bound) {
		if (asprintf(error, "cannot listen on %s (see the gRPC log lines before this)",
			     config->address) < 0)
			*error = NULL;
		release_unstarted();
		return -1;
	}
	grpc_server_start(srv.grpc);
	if (pthread_create(&srv.dispatcher, NULL, dispatcher_main, NULL) != 0) {
		*error = strdup("cannot start the gRPC dispatcher thread");
		grpc_server_shutdown_and_notify(srv.grpc, srv.cq, SHUTDOWN_TAG);
		/* No call was requested, so the shutdown tag is the only event. */
		grpc_completion_queue_next(srv.cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
		release_unstarted();
		return -1;
	}
	return 0;
}

void server_request_shutdown(void)
{
	sem_post(&srv.stop);
}

#ifdef __APPLE__
/* macOS has no pthread_timedjoin_np: a helper thread joins the dispatcher
 * and says so, and stop_dispatcher waits for that, first with the deadline,
 * then (after cancelling the calls) without. */
static struct {
	pthread_t helper;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool started, joined;
} dispatcher_join = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static void *join_dispatcher(void *unused)
{
	(void)unused;
	pthread_join(srv.dispatcher, NULL);
	pthread_mutex_lock(&dispatcher_join.lock);
	dispatcher_join.joined = true;
	pthread_cond_broadcast(&dispatcher_join.cond);
	pthread_mutex_unlock(&dispatcher_join.lock);
	return NULL;
}

static int wait_dispatcher(const struct timespec *deadline)
{
	int rc = 0;

	if (!dispatcher_join.started) {
		if (pthread_create(&dispatcher_join.helper, NULL, join_dispatcher, NULL) != 0)
			return pthread_join(srv.dispatcher, NULL);
		dispatcher_join.started = true;
	}
	pthread_mutex_lock(&dispatcher_join.lock);
	while (!dispatcher_join.joined && rc != ETIMEDOUT)
		rc = deadline ? pthread_cond_timedwait(&dispatcher_join.cond, &dispatcher_join.lock, deadline)
			      : pthread_cond_wait(&dispatcher_join.cond, &dispatcher_join.lock);
	pthread_mutex_unlock(&dispatcher_join.lock);
	if (!dispatcher_join.joined)
		return ETIMEDOUT;
	pthread_join(dispatcher_join.helper, NULL);
	return 0;
}
#define pthread_timedjoin_np(thread, ret, deadline) wait_dispatcher(deadline)
#define pthread_join(thread, ret) wait_dispatcher(NULL)
#endif

/* Joins the dispatcher, cancelling the calls still running if they take
 * longer than the grace period. */
static void stop_dispatcher(void)
{
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += SHUTDOWN_GRACE_SECONDS;
	if (pthread_timedjoin_np(srv.dispatcher, NULL, &deadline) != 0) {
		log_write(LOG_WARN, "cancelling the RPCs still running at shutdown", NULL);
		grpc_server_cancel_all_calls(srv.grpc);
		pthread_join(srv.dispatcher, NULL);
	}
}
#ifdef __APPLE__
#undef pthread_timedjoin_np
#undef pthread_join
#endif

void server_run(void)
{
	while (sem_wait(&srv.stop) != 0 && errno == EINTR)
		;
	log_write(LOG_DEBUG, "gRPC server shutting down", NULL);
	grpc_server_shutdown_and_notify(srv.grpc, srv.cq, SHUTDOWN_TAG);
	stop_dispatcher();
	/* A worker may still be freeing its call after gRPC saw it end. */
	pthread_mutex_lock(&srv.lock);
	while (srv.workers > 0)
		pthread_cond_wait(&srv.idle, &srv.lock);
	pthread_mutex_unlock(&srv.lock);
	grpc_server_destroy(srv.grpc);
	grpc_completion_queue_destroy(srv.cq);
	sem_destroy(&srv.stop);
	grpc_shutdown_blocking();
}
