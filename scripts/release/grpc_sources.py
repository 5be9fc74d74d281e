#!/usr/bin/env python3
"""Prints the gRPC core source files the static provider is built from.

    grpc_sources.py GRPC_SOURCE_DIR

The starting point is the list the grpcio source distribution compiles
(src/python/grpcio/grpc_core_dependencies.py). The provider only serves:
one HTTP/2 server on a unix socket or TCP port, with TLS from OpenSSL (the
one TLS library of the release build). So BoringSSL and the bundled zlib
go (OpenSSL and the zlib built beside it take their place), and with them
xDS, RLS, the load-balancing policies only they use, ALTS, the cloud
credentials and in-process channels. The client side stays: the server's
code refers to it (channel creation, the fused filter stacks, the
authorization filter). The core configuration is our own
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
    # xDS, RLS and the load-balancing policies only they use.
    "src/core/xds/*",
    "src/core/resolver/xds/*",
    "src/core/resolver/google_c2p/*",
    "src/core/load_balancing/xds/*",
    "src/core/load_balancing/rls/*",
    "src/core/load_balancing/priority/*",
    "src/core/load_balancing/outlier_detection/*",
    "src/core/load_balancing/weighted_target/*",
    "src/core/load_balancing/ring_hash/*",
    "src/core/load_balancing/round_robin/*",
    "src/core/load_balancing/weighted_round_robin/*",
    "src/core/load_balancing/autosharding/*",
    "src/core/ext/filters/rbac/*",
    "src/core/ext/filters/stateful_session/*",
    "src/core/ext/filters/gcp_authentication/*",
    "src/core/ext/filters/fault_injection/*",
    "src/core/filter/composite/*",
    "src/core/filter/ext_proc/*",
    "src/core/credentials/transport/xds/*",
    "src/core/server/xds_*",
    "src/core/ext/upb*-gen/envoy/*",
    "src/core/ext/upb*-gen/xds/*",
    "src/core/ext/upb*-gen/udpa/*",
    "src/core/ext/upb*-gen/validate/*",
    "src/core/ext/upb*-gen/cel/*",
    "src/core/ext/upb*-gen/google/api/*",
    "src/core/ext/upb*-gen/src/proto/grpc/lookup/*",
    # Credentials other than SSL/TLS and insecure: every per-call kind (but
    # composite, in KEEP below) and the other transport ones.
    "src/core/credentials/call/*",
    "src/core/credentials/transport/composite/*",
    "src/core/credentials/transport/fake/*",
    "src/core/credentials/transport/local/*",
    "src/core/credentials/transport/alts/*",
    "src/core/credentials/transport/google_default/*",
    "src/core/tsi/alts/*",
    # In-process channels.
    "src/core/ext/transport/inproc/*",
    # Never linked into the provider (no symbol of theirs is taken once the
    # core configuration is ours), left out so that a cold build does not
    # compile them: regular expressions (RE2: xDS and authorization-policy
    # matchers), name resolvers, pick_first, the client handshakers, Apple's
    # CFStream engine and the test engine, the census and backend-metrics
    # filters, the fast upb decoder and messages of the services above.
    "third_party/re2/*",
    "src/core/resolver/dns/*",
    "src/core/resolver/sockaddr/*",
    "src/core/load_balancing/pick_first/*",
    "src/core/handshaker/http_connect/*",
    "src/core/handshaker/tcp_connect/*",
    "src/core/lib/event_engine/cf_engine/*",
    "src/core/lib/event_engine/thready_event_engine/*",
    "src/core/ext/filters/census/*",
    "src/core/ext/filters/backend_metrics/*",
    "third_party/upb/upb/wire/decode_fast/*",
    "src/core/ext/upb*-gen/grpc/gcp/*",
    "src/core/ext/upb*-gen/grpc/health/*",
    "src/core/ext/upb*-gen/grpc/lb/*",
    "src/core/ext/upb*-gen/grpc/lookup/*",
    "src/core/ext/upbdefs-gen/google/rpc/*",
    "src/core/ext/upbdefs-gen/grpc/channelz/v1/*",
]

# Kept although a pattern above matches: the backend metrics (ORCA) message
# is read by the load-balancing code that stays; the client authentication
# filter, which the security filters' registration brings, composes call
# credentials.
KEEP = [
    "src/core/ext/upb-gen/xds/data/orca/*",
    "src/core/credentials/call/composite/*",
]


def main():
    root = sys.argv[1]
    sys.path.insert(0, os.path.join(root, "src", "python", "grpcio"))
    import grpc_core_dependencies

    for path in grpc_core_dependencies.CORE_SOURCE_FILES:
        if any(fnmatch.fnmatch(path, pattern) for pattern in KEEP) or \
                not any(fnmatch.fnmatch(path, pattern) for pattern in EXCLUDE):
            print(path)


if __name__ == "__main__":
    main()
