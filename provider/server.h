/* server.h: the gRPC server the plugin client talks to. It dispatches each
 * call by its method path to a unary rpc_method handler (rpc.h), several
 * calls at once, and answers UNIMPLEMENTED for any path it has no handler
 * for. There is one server per process. */
#ifndef WAGTAIL_SERVER_H
#define WAGTAIL_SERVER_H

#include "rpc.h"

typedef struct {
	const char *address; /* in gRPC's form: "unix:/path/plugin.sock" */
	/* PEM of the one client certificate to require (PLUGIN_CLIENT_CERT),
	 * or NULL to serve plaintext. With it, cert_pem and key_pem are ours. */
	const char *client_cert_pem;
	const char *cert_pem;
	const char *key_pem;
	/* NULL-terminated list of method tables, each ending with a NULL path;
	 * the caller keeps them alive while the server runs. */
	const rpc_method *const *tables;
} server_config;

/* Listens and starts serving in background threads. Returns 0, or -1 with
 * *error set to a malloc'd message (the process should then exit). */
int server_start(const server_config *config, char **error);

/* Blocks until server_request_shutdown(), then lets calls in flight finish
 * (for a short grace period, after which they are cancelled), stops the
 * server and releases gRPC. */
void server_run(void);

/* Asks server_run to stop. Async-signal-safe, so a signal handler may call
 * it; also fine from a handler thread. Only valid after server_start. */
void server_request_shutdown(void);

#endif
