/* sigv4.c: AWS Signature Version 4 (see sigv4.h).
 *
 * Text is assembled with open_memstream: each canonical form is one
 * stream, so there is no length bookkeeping to get wrong. */
#include "sigv4.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ALGORITHM "AWS4-HMAC-SHA256"

typedef struct {
	char *name;  /* owned; lower-case for headers */
	char *value; /* owned */
} pair;

typedef struct {
	pair *items;
	size_t count;
} pair_list;

static void pairs_add(pair_list *list, char *name, char *value)
{
	list->items = realloc(list->items, (list->count + 1) * sizeof *list->items);
	if (!list->items)
		abort();
	list->items[list->count++] = (pair){name, value};
}

static void pairs_free(pair_list *list)
{
	for (size_t i = 0; i < list->count; i++) {
		free(list->items[i].name);
		free(list->items[i].value);
	}
	free(list->items);
	list->items = NULL;
	list->count = 0;
}

static int compare_pairs(const void *a, const void *b)
{
	const pair *x = a, *y = b;
	int by_name = strcmp(x->name, y->name);
	return by_name ? by_name : strcmp(x->value, y->value);
}

/* ---- hashing ---- */

static void hex(const unsigned char *bytes, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 15];
	}
	out[2 * len] = '\0';
}

static void sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char digest[32];
	unsigned int n = 0;
	EVP_Digest(data, len, digest, &n, EVP_sha256(), NULL);
	hex(digest, 32, out);
}

static void hmac(const void *key, size_t key_len, const char *data, unsigned char out[32])
{
	unsigned int n = 32;
	HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)data, strlen(data), out, &n);
}

/* key = HMAC(key, data), for the chain that derives the signing key. */
static void hmac_step(unsigned char key[32], const char *data)
{
	unsigned char next[32];
	hmac(key, 32, data, next);
	memcpy(key, next, 32);
	OPENSSL_cleanse(next, sizeof next);
}

/* ---- encoding ---- */

static bool unreserved(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

char *sigv4_uri_encode(const char *s, size_t len, bool encode_slash)
{
	char *out = malloc(3 * len + 1), *p = out;
	if (!out)
		abort();
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (unreserved(c) || (c == '/' && !encode_slash))
			*p++ = (char)c;
		else
			p += sprintf(p, "%%%02X", c);
	}
	*p = '\0';
	return out;
}

static int hex_value(char c)
{
	return isdigit((unsigned char)c) ? c - '0' : isxdigit((unsigned char)c) ? (tolower(c) - 'a' + 10) : -1;
}

/* Decodes %XX escapes of [s, s+len) into a new string. */
static char *uri_decode(const char *s, size_t len)
{
	char *out = malloc(len + 1), *p = out;
	if (!out)
		abort();
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
			*p++ = (char)(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
			i += 2;
		} else {
			*p++ = s[i];
		}
	}
	*p = '\0';
	return out;
}

/* ---- canonical parts ---- */

/* Removes "." and ".." segments and empty segments (repeated slashes),
 * keeping a trailing slash. "/a/./b/../c//" -> "/a/c/". */
static char *normalize_path(const char *path)
{
	size_t len = strlen(path);
	char *out = malloc(len + 2), *copy = strdup(path), *save = NULL;
	size_t *starts = malloc((len + 1) * sizeof *starts), depth = 0, n = 0;
	if (!out || !copy || !starts)
		abort();
	for (char *seg = strtok_r(copy, "/", &save); seg; seg = strtok_r(NULL, "/", &save)) {
		if (strcmp(seg, ".") == 0)
			continue;
		if (strcmp(seg, "..") == 0) {
			if (depth > 0)
				n = starts[--depth];
			continue;
		}
		starts[depth++] = n;
		n += (size_t)sprintf(out + n, "/%s", seg);
	}
	bool trailing = len > 0 && path[len - 1] == '/';
	if (n == 0 || trailing)
		out[n++] = '/';
	out[n] = '\0';
	free(starts);
	free(copy);
	return out;
}

static char *canonical_path(const sigv4_request *req)
{
	const char *path = req->path && *req->path ? req->path : "/";
	char *normal = req->keep_path ? strdup(path) : normalize_path(path);
	char *encoded = sigv4_uri_encode(normal, strlen(normal), false);
	free(normal);
	return encoded;
}

/* Parses "a=1&b=2" into decoded-then-encoded pairs added to list. */
static void parse_query(const char *query, pair_list *list)
{
	const char *p = query;
	while (p && *p) {
		const char *end = strchr(p, '&');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		size_t name_len = eq ? (size_t)(eq - p) : len;
		if (len > 0) {
			char *name = uri_decode(p, name_len);
			char *value = eq ? uri_decode(eq + 1, len - name_len - 1) : strdup("");
			pairs_add(list, sigv4_uri_encode(name, strlen(name), true),
				  sigv4_uri_encode(value, strlen(value), true));
			free(name);
			free(value);
		}
		p = end ? end + 1 : NULL;
	}
}

static char *join_query(const pair_list *list)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	for (size_t i = 0; i < list->count; i++)
		fprintf(f, "%s%s=%s", i ? "&" : "", list->items[i].name, list->items[i].value);
	fclose(f);
	return text;
}

/* Trims and collapses runs of whitespace (folded lines included) to one space. */
static char *header_value(const char *value)
{
	char *out = malloc(strlen(value) + 1), *p = out;
	bool space = false;
	if (!out)
		abort();
	while (isspace((unsigned char)*value))
		value++;
	for (; *value; value++) {
		if (isspace((unsigned char)*value)) {
			space = true;
			continue;
		}
		if (space && p != out)
			*p++ = ' ';
		space = false;
		*p++ = *value;
	}
	*p = '\0';
	return out;
}

static char *lower(const char *s)
{
	char *out = strdup(s);
	if (!out)
		abort();
	for (char *p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return out;
}

/* The request's headers, lower-cased, with repeated names merged in order
 * (values joined by commas) and sorted by name. The signer's own headers
 * (x-amz-date, x-amz-security-token) are skipped: it adds those itself. */
static void collect_headers(const sigv4_request *req, pair_list *list)
{
	for (size_t i = 0; i < req->header_count; i++) {
		char *name = lower(req->headers[i].name), *value = header_value(req->headers[i].value);
		size_t j = 0;
		if (strcmp(name, "x-amz-date") == 0 || strcmp(name, "x-amz-security-token") == 0) {
			free(name);
			free(value);
			continue;
		}
		while (j < list->count && strcmp(list->items[j].name, name) != 0)
			j++;
		if (j == list->count) {
			pairs_add(list, name, value);
			continue;
		}
		char *merged = NULL;
		if (asprintf(&merged, "%s,%s", list->items[j].value, value) < 0)
			abort();
		free(list->items[j].value);
		list->items[j].value = merged;
		free(name);
		free(value);
	}
}

static void sort_pairs(pair_list *list)
{
	if (list->count > 1) /* qsort wants a non-null array even for zero items */
		qsort(list->items, list->count, sizeof *list->items, compare_pairs);
}

static char *signed_header_names(const pair_list *headers)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	for (size_t i = 0; i < headers->count; i++)
		fprintf(f, "%s%s", i ? ";" : "", headers->items[i].name);
	fclose(f);
	return text;
}

static char *canonical_request(const sigv4_request *req, const char *query, const pair_list *headers,
			       const char *signed_names, const char *payload_hash)
{
	char *path = canonical_path(req), *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	fprintf(f, "%s\n%s\n%s\n", req->method, path, query);
	for (size_t i = 0; i < headers->count; i++)
		fprintf(f, "%s:%s\n", headers->items[i].name, headers->items[i].value);
	fprintf(f, "\n%s\n%s", signed_names, payload_hash);
	fclose(f);
	free(path);
	return text;
}

/* ---- signing ---- */

typedef struct {
	char date[9];      /* YYYYMMDD */
	char amz_date[17]; /* YYYYMMDDTHHMMSSZ */
	char *scope;       /* date/region/service/aws4_request, owned */
} signing_time;

static int signing_time_init(signing_time *st, const sigv4_request *req, char **error)
{
	struct tm tm;
	if (!req->region || !req->service || !req->method || !gmtime_r(&req->time, &tm)) {
		*error = strdup("SigV4: method, region, service and a valid time are required");
		return -1;
	}
	strftime(st->date, sizeof st->date, "%Y%m%d", &tm);
	strftime(st->amz_date, sizeof st->amz_date, "%Y%m%dT%H%M%SZ", &tm);
	if (asprintf(&st->scope, "%s/%s/%s/aws4_request", st->date, req->region, req->service) < 0)
		abort();
	return 0;
}

/* Fills string_to_sign and signature of out from its canonical_request. */
static void sign_canonical(const signing_time *st, const sigv4_request *req, const sigv4_credentials *creds,
			   sigv4_result *out)
{
	char request_hash[65], *secret = NULL;
	unsigned char key[32];

	sha256_hex(out->canonical_request, strlen(out->canonical_request), request_hash);
	if (asprintf(&out->string_to_sign, "%s\n%s\n%s\n%s", ALGORITHM, st->amz_date, st->scope, request_hash) < 0 ||
	    asprintf(&secret, "AWS4%s", creds->secret_access_key) < 0)
		abort();
	hmac(secret, strlen(secret), st->date, key);
	OPENSSL_cleanse(secret, strlen(secret));
	free(secret);
	hmac_step(key, req->region);
	hmac_step(key, req->service);
	hmac_step(key, "aws4_request");
	hmac_step(key, out->string_to_sign); /* now the signature, no longer a key */
	out->signature = malloc(65);
	if (!out->signature)
		abort();
	hex(key, 32, out->signature);
}

static char *payload_hash(const sigv4_request *req)
{
	char *hash = malloc(65);
	if (!hash)
		abort();
	sha256_hex(req->body ? req->body : "", req->body ? req->body_len : 0, hash);
	return hash;
}

static bool has_credentials(const sigv4_credentials *creds, char **error)
{
	if (creds && creds->access_key_id && creds->secret_access_key)
		return true;
	*error = strdup("SigV4: no credentials to sign with");
	return false;
}

/* What signing a request and presigning it share: the time and scope, the
 * headers and query as they are signed, and what is made of them. */
typedef struct {
	signing_time st;
	pair_list headers, query;
	char *names;      /* the signed header names, ';'-joined */
	char *query_text; /* the canonical query */
} signing;

/* Starts both: out cleared, the time and scope, the date and payload hash,
 * the request's own headers. */
static int signing_begin(signing *s, const sigv4_request *req, const sigv4_credentials *creds, sigv4_result *out,
			 char **error)
{
	memset(s, 0, sizeof *s);
	memset(out, 0, sizeof *out);
	if (!has_credentials(creds, error) || signing_time_init(&s->st, req, error))
		return -1;
	out->amz_date = strdup(s->st.amz_date);
	out->content_sha256 = payload_hash(req);
	collect_headers(req, &s->headers);
	return 0;
}

/* With the headers and query complete: the canonical request, the string to
 * sign and the signature into out. */
static void signing_sign(signing *s, const sigv4_request *req, const sigv4_credentials *creds, sigv4_result *out)
{
	sort_pairs(&s->query);
	s->query_text = join_query(&s->query);
	out->canonical_request = canonical_request(req, s->query_text, &s->headers, s->names, out->content_sha256);
	sign_canonical(&s->st, req, creds, out);
}

static void signing_end(signing *s)
{
	free(s->names);
	free(s->query_text);
	free(s->st.scope);
	pairs_free(&s->headers);
	pairs_free(&s->query);
}

int sigv4_sign(const sigv4_request *req, const sigv4_credentials *creds, sigv4_result *out, char **error)
{
	signing s;
	bool with_token = creds && creds->session_token && !req->omit_session_token;

	if (signing_begin(&s, req, creds, out, error))
		return -1;
	pairs_add(&s.headers, strdup("x-amz-date"), strdup(s.st.amz_date));
	if (with_token)
		pairs_add(&s.headers, strdup("x-amz-security-token"), strdup(creds->session_token));
	if (req->add_content_sha256)
		pairs_add(&s.headers, strdup("x-amz-content-sha256"), strdup(out->content_sha256));
	sort_pairs(&s.headers);
	s.names = signed_header_names(&s.headers);
	parse_query(req->query, &s.query);
	signing_sign(&s, req, creds, out);
	if (asprintf(&out->authorization, "%s Credential=%s/%s, SignedHeaders=%s, Signature=%s", ALGORITHM,
		     creds->access_key_id, s.st.scope, s.names, out->signature) < 0)
		abort();
	signing_end(&s);
	return 0;
}

static void add_param(pair_list *query, const char *name, const char *value)
{
	pairs_add(query, strdup(name), sigv4_uri_encode(value, strlen(value), true));
}

int sigv4_presign(const sigv4_request *req, const sigv4_credentials *creds, long expires_seconds,
		  sigv4_result *out, char **error)
{
	signing s;
	char expires[24], *credential = NULL;

	if (signing_begin(&s, req, creds, out, error))
		return -1;
	sort_pairs(&s.headers);
	s.names = signed_header_names(&s.headers);

	parse_query(req->query, &s.query);
	snprintf(expires, sizeof expires, "%ld", expires_seconds);
	if (asprintf(&credential, "%s/%s", creds->access_key_id, s.st.scope) < 0)
		abort();
	add_param(&s.query, "X-Amz-Algorithm", ALGORITHM);
	add_param(&s.query, "X-Amz-Credential", credential);
	add_param(&s.query, "X-Amz-Date", s.st.amz_date);
	add_param(&s.query, "X-Amz-Expires", expires);
	add_param(&s.query, "X-Amz-SignedHeaders", s.names);
	if (creds->session_token && !req->omit_session_token)
		add_param(&s.query, "X-Amz-Security-Token", creds->session_token);
	signing_sign(&s, req, creds, out);
	/* A token added after signing goes in unsigned, before the signature. */
	if (creds->session_token && req->omit_session_token) {
		char *token = sigv4_uri_encode(creds->session_token, strlen(creds->session_token), true);
		if (asprintf(&out->presigned_query, "%s&X-Amz-Security-Token=%s&X-Amz-Signature=%s", s.query_text,
			     token, out->signature) < 0)
			abort();
		free(token);
	} else if (asprintf(&out->presigned_query, "%s&X-Amz-Signature=%s", s.query_text, out->signature) < 0) {
		abort();
	}
	free(credential);
	signing_end(&s);
	return 0;
}

void sigv4_result_free(sigv4_result *r)
{
	free(r->authorization);
	free(r->amz_date);
	free(r->content_sha256);
	free(r->canonical_request);
	free(r->string_to_sign);
	free(r->signature);
	free(r->presigned_query);
	memset(r, 0, sizeof *r);
}
