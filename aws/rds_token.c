/* rds_token.c: see rds_token.h. Same inputs and time give the same token as
 * botocore's generate_db_auth_token (tests/unit/test_rds_token.c). */
#include "rds_token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_LIFETIME_SECONDS 900

char *rds_token_generate(const char *host, long port, const char *user, const char *region,
			 const sigv4_credentials *creds, time_t now, char **error)
{
	char *host_port = NULL, *query = NULL, *token = NULL;
	char *encoded_user = sigv4_uri_encode(user, strlen(user), true);
	sigv4_result signed_url = {0};

	if (asprintf(&host_port, "%s:%ld", host, port) < 0 ||
	    asprintf(&query, "Action=connect&DBUser=%s", encoded_user) < 0)
		abort();
	sigv4_header host_header = {"Host", host_port};
	sigv4_request req = {
		.method = "GET",
		.path = "/",
		.query = query,
		.headers = &host_header,
		.header_count = 1,
		.region = region,
		.service = "rds-db",
		.time = now,
	};
	if (sigv4_presign(&req, creds, TOKEN_LIFETIME_SECONDS, &signed_url, error) == 0 &&
	    asprintf(&token, "%s/?%s", host_port, signed_url.presigned_query) < 0)
		abort();
	sigv4_result_free(&signed_url);
	free(encoded_user);
	free(query);
	free(host_port);
	return token;
}
