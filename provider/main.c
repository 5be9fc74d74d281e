/* main.c: the process as a plugin client expects it. Started by Terraform
 * or OpenTofu: check the cookie, agree on the protocol, listen on a unix
 * socket (mutual TLS unless the client turned it off), print the handshake
 * line, serve until the client calls Shutdown. Started by hand with
 * --debug: serve plaintext and print what to set so a CLI attaches. */
#include "handshake.h"
#include "log.h"
#include "plugin_services.h"
#include "rpc.h"
#include "server.h"
#include "tls_cert.h"
#include "wipe.h"

#ifndef __APPLE__ /* mallopt below, where glibc has it; macOS has no <malloc.h> */
#include <malloc.h>
#endif
#include <openssl/crypto.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const rpc_method *const method_tables[] = {tfplugin6_methods, plugin_methods, NULL};

static void on_stop_signal(int signo)
{
	(void)signo;
	server_request_shutdown();
}

/* SIGTERM always stops us cleanly. SIGINT only in debug mode: under a CLI,
 * Ctrl-C reaches the whole process group, and the CLI, not the signal,
 * decides when we stop (StopProvider, then Shutdown), as with go-plugin. */
static void handle_stop_signals(bool debug)
{
	struct sigaction action = {.sa_handler = on_stop_signal, .sa_flags = SA_RESTART};

	sigemptyset(&action.sa_mask);
	sigaction(SIGTERM, &action, NULL);
	if (debug)
		sigaction(SIGINT, &action, NULL);
}

/* The client's certificate, or NULL when the connection is plaintext. */
static const char *client_cert_pem(void)
{
	const char *disabled = getenv("TF_DISABLE_PLUGIN_TLS");
	const char *cert = getenv("PLUGIN_CLIENT_CERT");

	if ((disabled && *disabled) || !cert || !*cert)
		return NULL;
	return cert;
}

static int announce_plugin(int protocol, const char *socket_path, const tls_cert *cert)
{
	char *line = handshake_line(protocol, socket_path, cert->cert_der, cert->cert_der_len);

	if (!line)
		return -1;
	printf("%s\n", line);
	fflush(stdout); /* a pipe: the client waits for this line */
	free(line);
	return 0;
}

static int announce_debug(const char *socket_path)
{
	char *terraform = handshake_reattach_json("registry.terraform.io/wagtail/wagtail",
						  socket_path, (long)getpid());
	char *opentofu = handshake_reattach_json("registry.opentofu.org/wagtail/wagtail",
						 socket_path, (long)getpid());

	if (terraform && opentofu)
		printf("The wagtail provider is running in debug mode. To use it, set this in the\n"
		       "environment of Terraform:\n\n"
		       "\tTF_REATTACH_PROVIDERS='%s'\n\n"
		       "or of OpenTofu:\n\n"
		       "\tTF_REATTACH_PROVIDERS='%s'\n\n"
		       "Stop it with Ctrl-C.\n",
		       terraform, opentofu);
	fflush(stdout);
	free(terraform);
	free(opentofu);
	return terraform && opentofu ? 0 : -1;
}

/* Listens on <dir>/plugin.sock, announces it, serves until told to stop. */
static int serve(const char *dir, bool debug, int protocol, char **error)
{
	server_config config = {.client_cert_pem = debug ? NULL : client_cert_pem(),
				.tables = method_tables};
	tls_cert cert = {0};
	char *socket_path = handshake_socket_path(dir, error);
	char *address = NULL;
	int result = -1;

	if (!socket_path || asprintf(&address, "unix:%s", socket_path) < 0)
		goto done;
	config.address = address;
	if (config.client_cert_pem) {
		if (tls_cert_create(&cert, error))
			goto done;
		config.cert_pem = cert.cert_pem;
		config.key_pem = cert.key_pem;
	}
	if (server_start(&config, error))
		goto done;
	handle_stop_signals(debug);
	if ((debug ? announce_debug(socket_path) : announce_plugin(protocol, socket_path, &cert)) == 0)
		result = 0;
	else
		server_request_shutdown();
	server_run();
done:
	tls_cert_free(&cert);
	free(address);
	free(socket_path);
	return result;
}

static int run(bool debug, int protocol)
{
	char *error = NULL;
	char *dir = handshake_make_dir(&error);
	int result;

	tfplugin6_init();
	result = dir ? serve(dir, debug, protocol, &error) : -1;
	tfplugin6_shutdown();

	if (result)
		log_write(LOG_ERROR, error ? error : "out of memory", NULL);
	if (dir)
		handshake_remove_dir(dir);
	free(dir);
	free(error);
	return result ? 1 : 0;
}

int main(int argc, char **argv)
{
	char *error = NULL;
	int protocol;

	/* One malloc arena for all threads. glibc gives each new thread an arena
	 * of its own, up to eight per core, and Terraform's concurrent calls
	 * (-parallelism) start a thread each: with 20 at once the provider's
	 * peak RSS doubled (tests/acceptance/load.sh). Our threads wait on the
	 * network, not on malloc, so sharing one arena costs nothing. */
#ifdef M_ARENA_MAX /* glibc's; musl (the static release build) has no arenas */
	mallopt(M_ARENA_MAX, 1);
#endif
	/* No OpenSSL teardown at exit. gRPC's timer and executor threads can
	 * still be finishing a TLS write when main returns, and OpenSSL's atexit
	 * cleanup freed the global and per-thread state under them: a double
	 * free that ASan caught in a few of the fault matrix's processes. The
	 * kernel reclaims everything at exit anyway. This must be the first
	 * OpenSSL call: the first initialisation decides. */
	OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
	/* What cJSON frees (request bodies, answers: secrets among them) goes
	 * back zeroed; before any thread starts. */
	wipe_install_cjson();

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--debug") == 0)
			return run(true, HANDSHAKE_PROTOCOL);

	signal(SIGINT, SIG_IGN); /* see handle_stop_signals */
	if (!handshake_cookie_ok(getenv(HANDSHAKE_COOKIE_KEY))) {
		fputs("This program is a Terraform provider plugin: Terraform or OpenTofu start it\n"
		      "when a configuration needs it, so there is nothing to do by running it\n"
		      "directly. To debug it, run it with --debug.\n",
		      stderr);
		return 1;
	}
	protocol = handshake_protocol(getenv("PLUGIN_PROTOCOL_VERSIONS"), &error);
	if (protocol < 0) {
		log_write(LOG_ERROR, error ? error : "out of memory", NULL);
		free(error);
		return 1;
	}
	return run(false, protocol);
}
