/* fake_http.h: a one-request-per-connection HTTP server on 127.0.0.1 for
 * unit tests that drive AWS calls against canned answers: each request is
 * kept in a log, and a handler writes the answer. */
#ifndef WAGTAIL_FAKE_HTTP_H
#define WAGTAIL_FAKE_HTTP_H

#include <stddef.h>

typedef struct fake_http fake_http;

/* Writes the answer's body into body (size bytes) and returns the HTTP
 * status. request is the whole request, headers and body. */
typedef int (*fake_http_handler)(void *arg, const char *request, char *body, size_t size);

fake_http *fake_http_start(fake_http_handler handler, void *arg);
/* Stops serving and frees the server. */
void fake_http_stop(fake_http *server);
/* "http://127.0.0.1:PORT"; owned by the server. */
const char *fake_http_url(const fake_http *server);
/* Every request so far, in order; owned by the server. */
const char *fake_http_log(const fake_http *server);
int fake_http_hits(const fake_http *server);

/* The body of a request (after the blank line), or "". */
const char *fake_http_body(const char *request);

#endif
