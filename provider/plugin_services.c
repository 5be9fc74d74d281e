/* plugin_services.c: health checks and the controller's Shutdown. */
#include "plugin_services.h"

#include "health.pb-c.h"
#include "server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* gRPC's NOT_FOUND, which the health protocol answers Check with for a
 * service it does not know. */
#define HEALTH_NOT_FOUND 5

/* "" asks about the server as a whole; "plugin" is the name go-plugin
 * registers for the plugin's own services. */
static int health_check(const uint8_t *request, size_t request_len, uint8_t **response,
			size_t *response_len, char **error)
{
	Grpc__Health__V1__HealthCheckRequest *check =
		grpc__health__v1__health_check_request__unpack(NULL, request_len, request);
	Grpc__Health__V1__HealthCheckResponse answer = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;
	int status = RPC_OK;

	if (!check) {
		*error = strdup("malformed HealthCheckRequest");
		return RPC_INVALID_ARGUMENT;
	}
	if (strcmp(check->service, "") != 0 && strcmp(check->service, "plugin") != 0) {
		if (asprintf(error, "unknown service \"%s\"", check->service) < 0)
			*error = NULL;
		status = HEALTH_NOT_FOUND;
	}
	grpc__health__v1__health_check_request__free_unpacked(check, NULL);
	if (status != RPC_OK)
		return status;

	answer.status = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING;
	*response_len = grpc__health__v1__health_check_response__get_packed_size(&answer);
	*response = malloc(*response_len);
	if (!*response)
		return RPC_INTERNAL;
	grpc__health__v1__health_check_response__pack(&answer, *response);
	return RPC_OK;
}

/* The client is done with us. The reply still goes out: the server lets
 * calls in flight finish before it stops. */
static int controller_shutdown(const uint8_t *request, size_t request_len, uint8_t **response,
			       size_t *response_len, char **error)
{
	(void)request;
	(void)request_len;
	(void)error;
	server_request_shutdown();
	*response = NULL; /* plugin.Empty */
	*response_len = 0;
	return RPC_OK;
}

const rpc_method plugin_methods[] = {
	{"/grpc.health.v1.Health/Check", health_check},
	{"/plugin.GRPCController/Shutdown", controller_shutdown},
	{NULL, NULL},
};
