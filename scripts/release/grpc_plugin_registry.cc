// The gRPC core configuration of the static release build of the provider,
// compiled in place of gRPC's own plugin registry (grpc_sources.py leaves
// src/core/plugin_registry out).
//
// The provider is a gRPC server only: it listens on one unix socket or TCP
// port with TLS (or without, for debug mode) and never opens a channel. So
// only what a server's channel stack and its transport use is registered:
// no resolvers, load-balancing policies, client channel, proxy mappers,
// client handshakers or xDS. The release build defines GRPC_NO_XDS and
// GRPC_NO_RLS as well, so nothing else asks for them.
#include <grpc/grpc.h>
#include <grpc/support/port_platform.h>

#include "src/core/config/core_configuration.h"
#include "src/core/ext/filters/channel_idle/legacy_channel_idle_filter.h"
#include "src/core/handshaker/endpoint_info/endpoint_info_handshaker.h"
#include "src/core/lib/experiments/experiments.h"
#include "src/core/lib/surface/channel_stack_type.h"
#include "src/core/lib/surface/lame_client.h"
#include "src/core/server/server.h"
#include "src/core/server/server_call_tracer_filter.h"

namespace grpc_event_engine {
namespace experimental {
extern void RegisterEventEngineChannelArgPreconditioning(
    grpc_core::CoreConfiguration::Builder* builder);
}  // namespace experimental
}  // namespace grpc_event_engine

namespace grpc_core {

extern void SecurityRegisterHandshakerFactories(
    CoreConfiguration::Builder* builder);
extern void RegisterLegacyChannelIdleFilters(
    CoreConfiguration::Builder* builder);
extern void RegisterConnectedChannel(CoreConfiguration::Builder* builder);
extern void RegisterHttpFilters(CoreConfiguration::Builder* builder);
extern void RegisterMessageSizeFilter(CoreConfiguration::Builder* builder);
extern void RegisterResourceQuota(CoreConfiguration::Builder* builder);
extern void RegisterSecurityFilters(CoreConfiguration::Builder* builder);
extern void RegisterChttp2Transport(CoreConfiguration::Builder* builder);
extern void RegisterFusedFilters(CoreConfiguration::Builder* builder);

// The server's top filter, and a terminal filter for lame channels (what
// a failed channel creation returns), as gRPC's own registry has them.
static void RegisterServerBuiltins(CoreConfiguration::Builder* builder) {
  RegisterServerCallTracerFilter(builder);
  builder->channel_init()
      ->RegisterV2Filter<LameClientFilter>(GRPC_CLIENT_LAME_CHANNEL)
      .Terminal();
  auto& top = builder->channel_init()
                  ->RegisterFilter(GRPC_SERVER_CHANNEL,
                                   &Server::kServerTopFilter)
                  .SkipV3();
  auto& top_virtual = builder->channel_init()
                          ->RegisterFilter(GRPC_SERVER_VIRTUAL_CHANNEL,
                                           &Server::kServerTopFilter)
                          .SkipV3();
  if (IsFixV3FilterStackServerSideOrderingEnabled()) {
    top.SinkToBottom().After({LegacyMaxAgeFilter::kFilter.name});
    top_virtual.SinkToBottom();
  } else {
    top.BeforeAll();
    top_virtual.BeforeAll();
  }
}

void BuildCoreConfiguration(CoreConfiguration::Builder* builder) {
  grpc_event_engine::experimental::RegisterEventEngineChannelArgPreconditioning(
      builder);
  RegisterEndpointInfoHandshaker(builder);
  RegisterChttp2Transport(builder);
  SecurityRegisterHandshakerFactories(builder);
  RegisterLegacyChannelIdleFilters(builder);
  RegisterConnectedChannel(builder);
  RegisterHttpFilters(builder);
  RegisterMessageSizeFilter(builder);
  RegisterResourceQuota(builder);
  RegisterSecurityFilters(builder);
  RegisterFusedFilters(builder);
  RegisterServerBuiltins(builder);
}

}  // namespace grpc_core
