#!/usr/bin/env python3
"""Prints the gRPC core source files the static provider is built from.

    grpc_sources.py GRPC_SOURCE_DIR

The starting point is the list the grpcio source distribution compiles
(src/python/grpcio/grpc_core_dependencies.py). The provider only serves:
one HTTP/2 server on a unix socket or TCP port, with TLS from OpenSSL (the
one TLS library of the release build). So BoringSSL and the bundled zlib
go (OpenSSL and the zlib built beside it take their place), and with them
the client side, xDS, RLS, the load-balancing policies, resolvers, ALTS and
the cloud credentials. The core configuration is our own
(grpc_plugin_registry.cc beside this file), registering only what a server
uses. A file left out here that the link still needs shows up as an
undefined symbol when the provider is linked.
"""
import fnmatch
import os
import sys

EXCLUDE = [
    # Replaced: TLS by OpenSSL, zlib by the one built for curl too.
    "third_party/boringssl-with-bazel/*",
    "third_party/zlib/*",
    # Windows-only files (ifdef'd out anyway).
    "*/windows/*",
    "src/core/util/msys/*",
    "src/core/util/iphone/*",
    # Our own core configuration instead of the full one.
    "src/core/plugin_registry/*",
    # xDS and what only it uses (re2 included).
    "src/core/xds/*",
    "src/core/resolver/xds/*",
    "src/core/resolver/google_c2p/*",
    "src/core/load_balancing/*",
    "src/core/ext/filters/rbac/*",
    "src/core/ext/filters/stateful_session/*",
    "src/core/ext/filters/gcp_authentication/*",
    "src/core/ext/filters/fault_injection/*",
    "src/core/filter/ext_proc/*",
    "src/core/filter/composite/*",
    "src/core/lib/security/authorization/*",
    "src/core/credentials/transport/xds/*",
    "third_party/re2/*",
    "src/core/ext/upbdefs-gen/*",
    "src/core/ext/upb-gen/envoy/*",
    "src/core/ext/upb-gen/xds/*",
    "src/core/ext/upb-gen/udpa/*",
    "src/core/ext/upb-gen/validate/*",
    "src/core/ext/upb-gen/cel/*",
    "src/core/ext/upb-gen/google/api/*",
    "src/core/ext/upb-gen/src/proto/grpc/lookup/*",
    # Client side: channels, resolvers, connectors, load balancing.
    "src/core/client_channel/*",
    "src/core/resolver/*",
    "src/core/ext/transport/chttp2/client/*",
    "src/core/ext/transport/inproc/*",
    "src/core/handshaker/http_connect/*",
    "src/core/handshaker/tcp_connect/*",
    "src/core/ext/filters/backend_metrics/*",
    "src/core/ext/filters/http/client/*",
    "src/core/service_config/*",
    # Credentials other than SSL/TLS and insecure.
    "src/core/credentials/call/external/*",
    "src/core/credentials/call/gcp_service_account_identity/*",
    "src/core/credentials/call/gdch_service_account/*",
    "src/core/credentials/call/iam/*",
    "src/core/credentials/call/jwt/*",
    "src/core/credentials/call/jwt_token_file/*",
    "src/core/credentials/call/oauth2/*",
    "src/core/credentials/call/token_fetcher/*",
    "src/core/credentials/transport/alts/*",
    "src/core/credentials/transport/google_default/*",
    "src/core/tsi/alts/*",
    "src/core/util/http_client/*",
    "src/core/util/gcp_metadata_query.cc",
    "src/core/util/matchers.cc",
    "src/core/credentials/call/regional_access_boundary_fetcher.cc",
    "src/core/credentials/transport/fake/*",
    "src/core/credentials/transport/local/*",
    "src/core/tsi/fake_transport_security.cc",
    "src/core/tsi/local_transport_security.cc",
    "src/core/server/xds_*",
    "src/core/server/server_config_selector_filter.cc",
    "src/core/transport/endpoint_transport_client_channel_factory.cc",
    "src/core/ext/transport/chttp2/transport/http2_client_transport.cc",
    "src/core/ext/filters/http/client_authority_filter.cc",
    "src/core/lib/surface/legacy_channel.cc",
    "src/core/lib/surface/channel_create.cc",
]


def main():
    root = sys.argv[1]
    sys.path.insert(0, os.path.join(root, "src", "python", "grpcio"))
    import grpc_core_dependencies

    for path in grpc_core_dependencies.CORE_SOURCE_FILES:
        if not any(fnmatch.fnmatch(path, pattern) for pattern in EXCLUDE):
            print(path)


if __name__ == "__main__":
    main()
