/* plugin_services.h: the go-plugin services every plugin serves besides
 * its own: health checks and the controller's Shutdown. */
#ifndef WAGTAIL_PLUGIN_SERVICES_H
#define WAGTAIL_PLUGIN_SERVICES_H

#include "rpc.h"

/* /grpc.health.v1.Health/Check and /plugin.GRPCController/Shutdown; ends
 * with a NULL path. GRPCStdio is left out on purpose: go-plugin takes its
 * UNIMPLEMENTED answer as "nothing to mirror". */
extern const rpc_method plugin_methods[];

#endif
