/* handshake.h: the go-plugin handshake, as pure functions main.c strings
 * together: is the process started by a plugin client, which protocol do
 * we speak, where do we listen, and the line that tells the client so. */
#ifndef WAGTAIL_HANDSHAKE_H
#define WAGTAIL_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HANDSHAKE_COOKIE_KEY "TF_PLUGIN_MAGIC_COOKIE"
#define HANDSHAKE_COOKIE_VALUE "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
#define HANDSHAKE_PROTOCOL 6 /* the only tfplugin major version we speak */
#define HANDSHAKE_SOCKET_NAME "plugin.sock"

/* Whether the cookie (the environment value, or NULL) is the Terraform one. */
bool handshake_cookie_ok(const char *cookie);

/* Picks our protocol from PLUGIN_PROTOCOL_VERSIONS (or NULL when unset,
 * meaning the client predates negotiation and wants ours). Returns the
 * version, or -1 with *error set to a malloc'd message. */
int handshake_protocol(const char *offered, char **error);

/* Base64 with the standard alphabet and no '=' padding (Go's
 * RawStdEncoding), malloc'd. */
char *handshake_base64(const uint8_t *data, size_t len);

/* The line the client waits for, without its newline:
 * "1|6|unix|<socket>|grpc|<base64 DER cert, or empty for plaintext>".
 * Malloc'd. */
char *handshake_line(int protocol, const char *socket_path, const uint8_t *cert_der,
		     size_t cert_der_len);

/* Makes a private (0700) directory under $TMPDIR or /tmp for our socket.
 * Returns its malloc'd path, or NULL with *error set (malloc'd). */
char *handshake_make_dir(char **error);

/* The socket path inside such a directory, malloc'd; NULL with *error set
 * when it would not fit in a sockaddr_un. */
char *handshake_socket_path(const char *dir, char **error);

/* Removes the socket (if gRPC left it) and the directory. */
void handshake_remove_dir(const char *dir);

/* The TF_REATTACH_PROVIDERS value that points the CLI at a debug server:
 * {"<provider>":{"Protocol":"grpc","ProtocolVersion":6,"Pid":N,"Test":true,
 * "Addr":{"Network":"unix","String":"<socket>"}}}. Malloc'd. */
char *handshake_reattach_json(const char *provider, const char *socket_path, long pid);

#endif
