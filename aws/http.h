/* http.h: one HTTP exchange over libcurl. DNS answers and TLS sessions are
 * shared across threads (a curl share handle), so a new connection to an
 * endpoint skips the lookup and resumes TLS. Connections themselves are not
 * shared: libcurl does not support one connection cache used by concurrent
 * threads (CURLSHOPT_SHARE), and doing so crashed under 1000 parallel
 * refreshes (bench/). No retries here: the AWS client decides what to retry.
 * Bodies are never logged. */
#ifndef WAGTAIL_HTTP_H
#define WAGTAIL_HTTP_H

#include "sigv4.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct {
	long status;        /* 0 when no answer came */
	char *body;         /* owned, NUL-terminated */
	size_t body_len;
	char *request_id;   /* owned: x-amzn-RequestId or x-amz-request-id, or NULL */
	char *error_type;   /* owned: x-amzn-ErrorType, or NULL */
	bool transient;     /* failed in a way worth retrying (connection, timeout) */
	bool timed_out;     /* no complete answer within the timeout */
	bool maybe_sent;    /* failed, and the request may have reached the server */
	unsigned resent;    /* times libcurl itself sent the request again: a reused
			     * connection died before any answer, so it retried on a
			     * fresh one (it does so on its own, up to 5 times) */
	char *failure;      /* owned: what went wrong when status is 0 */
} http_response;

/* How a server's certificate is checked: against custom_ca_bundle /
 * AWS_CA_BUNDLE or the system's CAs, always, except that `insecure` (the
 * provider argument) skips the check for a loopback host (127.0.0.0/8, ::1,
 * localhost), such as a local test endpoint with a self-signed
 * certificate. No other host is ever reached unverified. */
typedef struct {
	const char *ca_bundle; /* PEM file of CAs; NULL: the system's */
	bool insecure;         /* skip verification of loopback hosts */
} http_tls;

/* True when url's host is a loopback address or localhost. */
bool http_url_is_loopback(const char *url);

typedef struct {
	const char *method;
	const char *url;
	const sigv4_header *headers; /* Host is set by curl from the URL */
	size_t header_count;
	const void *body;
	size_t body_len;
	double timeout_seconds; /* whole exchange; 0 = 60 s */
	http_tls tls;
} http_request;

/* Returns 0 with an answer (any status), or -1 when none came (out->failure
 * says why). out is always to be freed with http_response_free. */
int http_send(const http_request *req, http_response *out);
void http_response_free(http_response *r);

#endif
