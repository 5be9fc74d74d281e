/* rpc.h: what the gRPC server (server.c) dispatches to. A handler sees only
 * the serialized request and returns the serialized response, so neither
 * side knows the other's types: the server knows nothing of protobuf
 * messages, handlers know nothing of gRPC. */
#ifndef WAGTAIL_RPC_H
#define WAGTAIL_RPC_H

#include <stddef.h>
#include <stdint.h>

/* gRPC status codes we answer with (values fixed by gRPC). */
enum {
	RPC_OK = 0,
	RPC_CANCELLED = 1,
	RPC_UNKNOWN = 2,
	RPC_INVALID_ARGUMENT = 3,
	RPC_UNIMPLEMENTED = 12,
	RPC_INTERNAL = 13,
	RPC_UNAVAILABLE = 14
};

/* A unary handler. On RPC_OK, *response is a malloc'd buffer of
 * *response_len bytes that the caller frees (NULL with length 0 is an empty
 * message). On any other code, *error may be set to a malloc'd message the
 * caller frees. */
typedef int (*rpc_unary_fn)(const uint8_t *request, size_t request_len,
			    uint8_t **response, size_t *response_len, char **error);

typedef struct {
	const char *path; /* "/package.Service/Method" */
	rpc_unary_fn handler;
} rpc_method;

/* The tfplugin6.Provider methods (tfplugin6.c); ends with a NULL path. */
extern const rpc_method tfplugin6_methods[];

/* Before serving tfplugin6_methods, and after the server has stopped. */
void tfplugin6_init(void);
void tfplugin6_shutdown(void);

#endif
