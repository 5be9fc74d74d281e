/* rds_token.c: see rds_token.h. Same inputs and time give the same token as
 * botocore's generate_db_auth_token, byte for byte (tests/unit/test_rds_token.c).
 *
 * botocore presigns the URL "https://HOST:PORT/?Action=connect&DBUser=..."
 * and signs the Host header its URL handling derives from it: the host
 * lower-cased, and without the port when that is https's default, 443.
 * The token is the presigned URL without "https://", so it keeps the host
 * as given and always names the port. Its query lists the request's
 * parameters, then X-Amz-Algorithm, -Credential, -Date, -Expires,
 * -SignedHeaders, -Security-Token (with temporary credentials) and
 * -Signature, in that order: the signer's canonical order but for the
 * session token, which botocore adds after the signed headers. */
#include "rds_token.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_LIFETIME_SECONDS 900
#define HTTPS_DEFAULT_PORT 443

/* The Host header botocore signs: host lower-cased, ":port" unless 443. */
static char *signed_host(const char *host, long port)
{
	char *text = NULL;
	if ((port == HTTPS_DEFAULT_PORT ? asprintf(&text, "%s", host) : asprintf(&text, "%s:%ld", host, port)) < 0)
		abort();
	for (char *p = text; *p && *p != ':'; p++)
		*p = (char)tolower((unsigned char)*p);
	return text;
}

/* Moves "&X-Amz-Security-Token=..." to just before "&X-Amz-Signature=",
 * where botocore has it; query is rewritten in place (same length). */
static void token_after_signed_headers(char *query)
{
	char *token = strstr(query, "&X-Amz-Security-Token=");
	char *signature = strstr(query, "&X-Amz-Signature=");
	if (!token || !signature || signature < token)
		return;
	size_t token_len = strcspn(token + 1, "&") + 1;
	char *moved = strndup(token, token_len);
	if (!moved)
		abort();
	memmove(token, token + token_len, (size_t)(signature - token) - token_len);
	memcpy(signature - token_len, moved, token_len);
	free(moved);
}

char *rds_token_generate(const char *host, long port, const char *user, const char *region,
			 const sigv4_credentials *creds, time_t now, char **error)
{
	char *query = NULL, *token = NULL;
	char *encoded_user = sigv4_uri_encode(user, strlen(user), true);
	char *host_header = signed_host(host, port);
	sigv4_result signed_url = {0};

	if (asprintf(&query, "Action=connect&DBUser=%s", encoded_user) < 0)
		abort();
	sigv4_header header = {"Host", host_header};
	sigv4_request req = {
		.method = "GET",
		.path = "/",
		.query = query,
		.headers = &header,
		.header_count = 1,
		.region = region,
		.service = "rds-db",
		.time = now,
	};
	if (sigv4_presign(&req, creds, TOKEN_LIFETIME_SECONDS, &signed_url, error) == 0) {
		token_after_signed_headers(signed_url.presigned_query);
		if (asprintf(&token, "%s:%ld/?%s", host, port, signed_url.presigned_query) < 0)
			abort();
	}
	sigv4_result_free(&signed_url);
	free(encoded_user);
	free(host_header);
	free(query);
	return token;
}
