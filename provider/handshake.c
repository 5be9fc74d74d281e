/* handshake.c: the go-plugin handshake pieces. Nothing here touches gRPC,
 * so each piece is unit-tested on its own. */
#include "handshake.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

static void set_error(char **error, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

static void set_error(char **error, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	if (vasprintf(error, format, args) < 0)
		*error = NULL;
	va_end(args);
}

bool handshake_cookie_ok(const char *cookie)
{
	return cookie && strcmp(cookie, HANDSHAKE_COOKIE_VALUE) == 0;
}

/* Whether one comma-separated entry, starting at entry, is our version.
 * Entries that are not numbers are skipped, as go-plugin does. */
static bool entry_is_ours(const char *entry)
{
	char *end;
	long version = strtol(entry, &end, 10);
	if (end == entry)
		return false;
	while (isspace((unsigned char)*end))
		end++;
	return (*end == ',' || *end == '\0') && version == HANDSHAKE_PROTOCOL;
}

int handshake_protocol(const char *offered, char **error)
{
	/* Unset or empty: a client older than negotiation, which expects the
	 * server's own version and checks it itself. */
	if (!offered || !*offered)
		return HANDSHAKE_PROTOCOL;
	for (const char *entry = offered; entry; entry = strchr(entry, ',')) {
		if (*entry == ',')
			entry++;
		if (entry_is_ours(entry))
			return HANDSHAKE_PROTOCOL;
	}
	set_error(error,
		  "this provider speaks plugin protocol %d only, but the client offers \"%s\"; "
		  "use a Terraform or OpenTofu version that supports protocol %d",
		  HANDSHAKE_PROTOCOL, offered, HANDSHAKE_PROTOCOL);
	return -1;
}

char *handshake_base64(const uint8_t *data, size_t len)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc(len / 3 * 4 + 4); /* full groups, a partial one, NUL */
	char *p = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i += 3) {
		size_t left = len - i;
		uint32_t group = (uint32_t)data[i] << 16;
		if (left > 1)
			group |= (uint32_t)data[i + 1] << 8;
		if (left > 2)
			group |= data[i + 2];
		/* n input bytes make n + 1 output characters; no padding. */
		size_t chars = left > 2 ? 4 : left + 1;
		for (size_t c = 0; c < chars; c++)
			*p++ = alphabet[(group >> (18 - 6 * c)) & 63];
	}
	*p = '\0';
	return out;
}

char *handshake_line(int protocol, const char *socket_path, const uint8_t *cert_der,
		     size_t cert_der_len)
{
	char *cert = handshake_base64(cert_der, cert_der_len);
	char *line = NULL;

	if (cert && asprintf(&line, "1|%d|unix|%s|grpc|%s", protocol, socket_path, cert) < 0)
		line = NULL;
	free(cert);
	return line;
}

char *handshake_make_dir(char **error)
{
	const char *tmp = getenv("TMPDIR");
	char *dir;

	if (!tmp || !*tmp)
		tmp = "/tmp";
	if (asprintf(&dir, "%s/wagtail-plugin-XXXXXX", tmp) < 0) {
		set_error(error, "out of memory");
		return NULL;
	}
	/* mkdtemp makes the directory 0700, so no other user can reach the
	 * socket, even in plaintext mode. */
	if (!mkdtemp(dir)) {
		set_error(error, "cannot create a directory for the plugin socket under %s: %s",
			  tmp, strerror(errno));
		free(dir);
		return NULL;
	}
	return dir;
}

char *handshake_socket_path(const char *dir, char **error)
{
	char *path;

	if (asprintf(&path, "%s/%s", dir, HANDSHAKE_SOCKET_NAME) < 0) {
		set_error(error, "out of memory");
		return NULL;
	}
	if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		set_error(error, "socket path %s is too long for a unix socket; set TMPDIR to a shorter directory",
			  path);
		free(path);
		return NULL;
	}
	return path;
}

void handshake_remove_dir(const char *dir)
{
	char *socket_path;

	/* gRPC may or may not have unlinked its socket: either is fine. */
	if (asprintf(&socket_path, "%s/%s", dir, HANDSHAKE_SOCKET_NAME) >= 0) {
		unlink(socket_path);
		free(socket_path);
	}
	rmdir(dir);
}

char *handshake_reattach_json(const char *provider, const char *socket_path, long pid)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *entry = cJSON_AddObjectToObject(root, provider);
	cJSON *addr;
	char *text;

	cJSON_AddStringToObject(entry, "Protocol", "grpc");
	cJSON_AddNumberToObject(entry, "ProtocolVersion", HANDSHAKE_PROTOCOL);
	cJSON_AddNumberToObject(entry, "Pid", (double)pid);
	/* Test: the CLI neither kills this process nor assumes protocol 5. */
	cJSON_AddTrueToObject(entry, "Test");
	addr = cJSON_AddObjectToObject(entry, "Addr");
	cJSON_AddStringToObject(addr, "Network", "unix");
	cJSON_AddStringToObject(addr, "String", socket_path);
	text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return text;
}
