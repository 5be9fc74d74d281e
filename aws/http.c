/* http.c: libcurl transport (see http.h). */
#include "http.h"

#include "log.h"
#include "wipe.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define MAX_RESPONSE_BYTES (64u << 20) /* no AWS answer we read is near this */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static CURLSH *share;
static pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];

static void lock_share(CURL *handle, curl_lock_data data, curl_lock_access access, void *user)
{
	(void)handle, (void)access, (void)user;
	pthread_mutex_lock(&share_locks[data]);
}

static void unlock_share(CURL *handle, curl_lock_data data, void *user)
{
	(void)handle, (void)user;
	pthread_mutex_unlock(&share_locks[data]);
}

bool http_url_is_loopback(const char *url)
{
	const char *start = strstr(url, "://"), *end;
	char host[64];
	struct in6_addr v6;
	struct in_addr v4;

	if (!start)
		return false;
	start += 3;
	if (*start == '[') { /* [IPv6]:port */
		end = strchr(++start, ']');
	} else {
		end = start + strcspn(start, ":/?#");
	}
	if (!end || end == start || (size_t)(end - start) >= sizeof host || memchr(start, '@', (size_t)(end - start)))
		return false;
	memcpy(host, start, (size_t)(end - start));
	host[end - start] = '\0';
	if (strcasecmp(host, "localhost") == 0)
		return true;
	if (inet_pton(AF_INET, host, &v4) == 1)
		return (ntohl(v4.s_addr) >> 24) == 127;
	return inet_pton(AF_INET6, host, &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

#ifdef WAGTAIL_STATIC
/* The static release binary runs on any Linux, and each keeps its CA bundle
 * somewhere else, so its libcurl has no path built in and would take
 * OpenSSL's defaults alone (/etc/ssl/cert.pem, the hashed /etc/ssl/certs).
 * Unless SSL_CERT_FILE or SSL_CERT_DIR says where, the first of the usual
 * bundles that exists is used instead (the list Go's crypto/x509 looks
 * through); with none, OpenSSL's defaults. */
static const char *system_bundle;
static pthread_once_t system_bundle_once = PTHREAD_ONCE_INIT;

static void find_system_bundle(void)
{
	static const char *const bundles[] = {
		"/etc/ssl/certs/ca-certificates.crt",                /* Debian, Ubuntu, Alpine, Arch */
		"/etc/pki/tls/certs/ca-bundle.crt",                  /* Fedora, RHEL */
		"/etc/ssl/ca-bundle.pem",                            /* openSUSE */
		"/etc/pki/tls/cacert.pem",                           /* OpenELEC */
		"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", /* CentOS, RHEL 7 */
		"/etc/ssl/cert.pem",                                 /* Alpine */
	};

	if (getenv("SSL_CERT_FILE") || getenv("SSL_CERT_DIR"))
		return;
	for (size_t i = 0; i < sizeof bundles / sizeof *bundles && !system_bundle; i++)
		if (access(bundles[i], R_OK) == 0)
			system_bundle = bundles[i];
}
#endif

/* Certificate checks: see http_tls. */
static void set_verification(CURL *curl, const http_request *req)
{
	bool skip = req->tls.insecure && http_url_is_loopback(req->url);
	const char *ca_bundle = req->tls.ca_bundle;

	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, skip ? 0L : 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, skip ? 0L : 2L);
#ifdef WAGTAIL_STATIC
	if (!ca_bundle) {
		pthread_once(&system_bundle_once, find_system_bundle);
		ca_bundle = system_bundle;
	}
#endif
	if (ca_bundle)
		curl_easy_setopt(curl, CURLOPT_CAINFO, ca_bundle);
	if (skip && strncmp(req->url, "https:", 6) == 0)
		log_write(LOG_DEBUG, "TLS certificate not verified (insecure, loopback endpoint)", "url", req->url, NULL);
}

/* libcurl's copies of a request (its send buffer) and of an answer go back
 * zeroed (wipe.h). */
static void init_curl(void)
{
	curl_global_init_mem(CURL_GLOBAL_DEFAULT, wipe_malloc, wipe_free, wipe_realloc, wipe_strdup, wipe_calloc);
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&share_locks[i], NULL);
	share = curl_share_init();
	curl_share_setopt(share, CURLSHOPT_LOCKFUNC, lock_share);
	curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, unlock_share);
	curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
}

typedef struct {
	http_response *out;
	wipe_buf body; /* an answer may hold a secret (GetParameter) */
} exchange;

static size_t on_body(char *data, size_t size, size_t count, void *user)
{
	exchange *x = user;
	size_t n = size * count;
	if (x->body.length + n > MAX_RESPONSE_BYTES)
		return 0; /* curl reports a write error: answer too large */
	wipe_buf_append(&x->body, data, n);
	return n;
}

static char *header_value(const char *line, size_t len, const char *name)
{
	size_t name_len = strlen(name);
	if (len <= name_len + 1 || strncasecmp(line, name, name_len) != 0 || line[name_len] != ':')
		return NULL;
	const char *v = line + name_len + 1;
	while (v < line + len && (*v == ' ' || *v == '\t'))
		v++;
	size_t n = (size_t)(line + len - v);
	while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
		n--;
	return strndup(v, n);
}

static size_t on_header(char *line, size_t size, size_t count, void *user)
{
	exchange *x = user;
	size_t len = size * count;
	char *v;
	if (!x->out->request_id && ((v = header_value(line, len, "x-amzn-RequestId")) ||
				    (v = header_value(line, len, "x-amz-request-id"))))
		x->out->request_id = v;
	else if (!x->out->error_type && (v = header_value(line, len, "x-amzn-ErrorType")))
		x->out->error_type = v;
	return len;
}

/* Verbose output only to spot libcurl's own resend: when a reused
 * connection dies before any answer, libcurl sends the request again on a
 * fresh one, and says so. Nothing else of it is kept (headers carry the
 * signature). */
static int on_debug(CURL *handle, curl_infotype type, char *data, size_t size, void *user)
{
	static const char resend[] = "Connection died, retrying a fresh connect";
	exchange *x = user;
	(void)handle;
	if (type == CURLINFO_TEXT && size >= sizeof resend - 1 && memcmp(data, resend, sizeof resend - 1) == 0)
		x->out->resent++;
	return 0;
}

static bool transient(CURLcode code)
{
	switch (code) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SSL_CONNECT_ERROR:
		return true;
	default:
		return false;
	}
}

static struct curl_slist *header_list(const http_request *req)
{
	struct curl_slist *list = curl_slist_append(NULL, "Expect:"); /* no 100-continue round trip */
	for (size_t i = 0; i < req->header_count; i++) {
		char *line = NULL;
		if (strcasecmp(req->headers[i].name, "Host") == 0)
			continue;
		if (asprintf(&line, "%s: %s", req->headers[i].name, req->headers[i].value) < 0)
			abort();
		list = curl_slist_append(list, line);
		free(line);
	}
	return list;
}

int http_send(const http_request *req, http_response *out)
{
	exchange x = {.out = out};
	char error[CURL_ERROR_SIZE] = "";

	memset(out, 0, sizeof *out);
	pthread_once(&init_once, init_curl);
	CURL *curl = curl_easy_init();
	struct curl_slist *headers = header_list(req);
	if (!curl)
		abort();
	curl_easy_setopt(curl, CURLOPT_SHARE, share);
	curl_easy_setopt(curl, CURLOPT_URL, req->url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req->method);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	if (req->body || strcmp(req->method, "POST") == 0 || strcmp(req->method, "PUT") == 0) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body ? req->body : "");
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
	}
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
	curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, on_debug);
	curl_easy_setopt(curl, CURLOPT_DEBUGDATA, &x);
	curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for DNS timeouts */
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)((req->timeout_seconds > 0 ? req->timeout_seconds : 60) * 1000));
	set_verification(curl, req);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "terraform-provider-wagtail/" WAGTAIL_VERSION);

	CURLcode code = curl_easy_perform(curl);
	out->body = wipe_buf_take(&x.body, &out->body_len);
	if (code == CURLE_OK) {
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
	} else {
		long sent = 0;
		curl_easy_getinfo(curl, CURLINFO_REQUEST_SIZE, &sent);
		out->transient = transient(code);
		out->timed_out = code == CURLE_OPERATION_TIMEDOUT;
		out->maybe_sent = sent > 0 || out->resent > 0;
		if (asprintf(&out->failure, "%s", *error ? error : curl_easy_strerror(code)) < 0)
			abort();
	}
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	return code == CURLE_OK ? 0 : -1;
}

void http_response_free(http_response *r)
{
	wipe_free(r->body);
	free(r->request_id);
	free(r->error_type);
	free(r->failure);
	memset(r, 0, sizeof *r);
}
