/* fake_http.c: see fake_http.h. */
#include "fake_http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define LOG_SIZE 65536

struct fake_http {
	int listener;
	pthread_t thread;
	atomic_bool stop;
	fake_http_handler handler;
	void *arg;
	char url[64];
	atomic_int hits;
	char log[LOG_SIZE];
};

/* Reads headers and a Content-Length body. */
static void read_request(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0) {
		len += (size_t)n;
		buf[len] = '\0';
		char *end = strstr(buf, "\r\n\r\n");
		if (!end)
			continue;
		const char *cl = strcasestr(buf, "\r\nContent-Length:");
		size_t body = cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0;
		if (len >= (size_t)(end + 4 - buf) + body)
			break;
	}
	buf[len] = '\0';
}

static void serve_one(fake_http *server, int fd)
{
	char request[16384], body[8192] = "", *answer = NULL;
	read_request(fd, request, sizeof request);
	strncat(server->log, request, sizeof server->log - strlen(server->log) - 1);
	strncat(server->log, "\n", sizeof server->log - strlen(server->log) - 1);
	int status = server->handler(server->arg, request, body, sizeof body);
	atomic_fetch_add(&server->hits, 1);
	int len = asprintf(&answer, "HTTP/1.1 %d X\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s", status,
			   strlen(body), body);
	if (len < 0 || write(fd, answer, (size_t)len) != len)
		abort();
	free(answer);
}

static void *serve(void *arg)
{
	fake_http *server = arg;
	while (!atomic_load(&server->stop)) {
		struct pollfd p = {.fd = server->listener, .events = POLLIN};
		if (poll(&p, 1, 20) <= 0)
			continue;
		int fd = accept(server->listener, NULL, NULL);
		if (fd < 0)
			continue;
		serve_one(server, fd);
		close(fd);
	}
	return NULL;
}

fake_http *fake_http_start(fake_http_handler handler, void *arg)
{
	fake_http *server = calloc(1, sizeof *server);
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof addr;
	if (!server)
		abort();
	server->handler = handler;
	server->arg = arg;
	server->listener = socket(AF_INET, SOCK_STREAM, 0);
	if (server->listener < 0 || bind(server->listener, (struct sockaddr *)&addr, sizeof addr) != 0 ||
	    listen(server->listener, 8) != 0 || getsockname(server->listener, (struct sockaddr *)&addr, &len) != 0)
		abort();
	snprintf(server->url, sizeof server->url, "http://127.0.0.1:%d", ntohs(addr.sin_port));
	if (pthread_create(&server->thread, NULL, serve, server) != 0)
		abort();
	return server;
}

void fake_http_stop(fake_http *server)
{
	if (!server)
		return;
	atomic_store(&server->stop, true);
	pthread_join(server->thread, NULL);
	close(server->listener);
	free(server);
}

const char *fake_http_url(const fake_http *server)
{
	return server->url;
}

const char *fake_http_log(const fake_http *server)
{
	return server->log;
}

int fake_http_hits(const fake_http *server)
{
	return atomic_load(&server->hits);
}

const char *fake_http_body(const char *request)
{
	const char *end = strstr(request, "\r\n\r\n");
	return end ? end + 4 : "";
}
