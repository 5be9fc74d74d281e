/* sigv4.h: AWS Signature Version 4, for request headers and for presigned
 * URLs (query-string signing, as the RDS auth token uses).
 *
 * The request is described by its parts; the signer never parses a URL.
 * Path and query are given as they go on the wire. The signer canonicalizes
 * them as AWS specifies: the path normalized (dot segments, repeated
 * slashes) and URI-encoded once more, so an encoded wire path is signed
 * double-encoded as every service but S3 expects; query parameters decoded,
 * re-encoded and sorted by name then value; header names lower-cased,
 * values trimmed and inner whitespace runs collapsed, repeated headers
 * joined with commas. X-Amz-Date and X-Amz-Security-Token are the signer's:
 * the caller's own are ignored and the signer's returned. */
#ifndef WAGTAIL_SIGV4_H
#define WAGTAIL_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

typedef struct {
	const char *name;
	const char *value;
} sigv4_header;

typedef struct {
	const char *access_key_id;
	const char *secret_access_key;
	const char *session_token; /* NULL when the credentials are long-term */
} sigv4_credentials;

typedef struct {
	const char *method;         /* "GET", "POST", ... */
	const char *path;           /* "/", "/foo%20bar" */
	const char *query;          /* "a=1&b=2" without '?', or NULL */
	const sigv4_header *headers; /* must include Host */
	size_t header_count;
	const void *body;
	size_t body_len;
	const char *region;
	const char *service;        /* signing name: "ecs", "rds-db", "sts", ... */
	time_t time;                /* signing time, UTC seconds */
	bool keep_path;             /* sign the path as given: no dot-segment or slash normalization */
	bool add_content_sha256;    /* also send and sign x-amz-content-sha256 (S3 wants it) */
	bool omit_session_token;    /* add the token after signing, unsigned (some services) */
} sigv4_request;

/* What signing adds to the request, each malloc'd, freed by sigv4_result_free.
 * Intermediate strings are kept for tests and debugging (never logged: the
 * canonical request holds header values). */
typedef struct {
	char *authorization;      /* Authorization header value */
	char *amz_date;           /* X-Amz-Date value, YYYYMMDD'T'HHMMSS'Z' */
	char *content_sha256;     /* hex SHA-256 of the payload */
	char *canonical_request;
	char *string_to_sign;
	char *signature;          /* hex */
	char *presigned_query;    /* sigv4_presign only: the full query string to send */
} sigv4_result;

/* Header signing. Returns 0, or -1 with *error set (malloc'd). */
int sigv4_sign(const sigv4_request *req, const sigv4_credentials *creds, sigv4_result *out, char **error);

/* Query-string signing: adds X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
 * X-Amz-Expires, X-Amz-SignedHeaders (and X-Amz-Security-Token) to the
 * request's query and signs it; presigned_query is the whole query to send,
 * in canonical order, ending with X-Amz-Signature. */
int sigv4_presign(const sigv4_request *req, const sigv4_credentials *creds, long expires_seconds,
		  sigv4_result *out, char **error);

void sigv4_result_free(sigv4_result *r);

/* RFC 3986 encoding as AWS wants it (unreserved kept, everything else %XX
 * upper-case); encode_slash false keeps '/'. Returns malloc'd text. */
char *sigv4_uri_encode(const char *s, size_t len, bool encode_slash);

#endif
