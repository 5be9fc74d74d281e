/* test_rds_token.c: aws/rds_token.c byte for byte against botocore's
 * generate_db_auth_token. The expected tokens were produced with botocore
 * 1.43.11 (python3, botocore.session client "rds", credentials
 * AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, with and without
 * the session token below, and botocore.auth.get_current_datetime patched
 * to return 2026-11-28T12:00:00Z), calling
 * generate_db_auth_token(host, port, user, Region="eu-west-1"). botocore
 * signs the Host its URL handling derives from "https://host:port": the
 * host lower-cased, and without ":443", the default port of https; the
 * token itself keeps the host as given and always ":port". */
#include "unit.h"

#include "rds_token.h"

#include <stdlib.h>

#define NOW 1795867200 /* 2026-11-28T12:00:00Z */
#define HOST "mycluster.cluster-abc.eu-west-1.rds.amazonaws.com"
#define MIXED_CASE_HOST "MyCluster.Cluster-ABC.eu-west-1.rds.amazonaws.com"
#define SESSION_TOKEN "FQoGZXIvYXdzEXAMPLE/session+token="
#define QUERY_START "/?Action=connect&DBUser=wagtail&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20261128%2Feu-west-1%2Frds-db%2Faws4_request&X-Amz-Date=20261128T120000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host"
#define TOKEN_PARAM "&X-Amz-Security-Token=FQoGZXIvYXdzEXAMPLE%2Fsession%2Btoken%3D"

static void check_token(const char *host, long port, const char *user, const char *session_token, const char *want)
{
	sigv4_credentials creds = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", session_token};
	char *error = NULL;
	char *token = rds_token_generate(host, port, user, "eu-west-1", &creds, NOW, &error);
	CHECK(error == NULL);
	CHECK_STR(token, want);
	free(token);
	free(error);
}

TEST(rds_token_port_5432_as_botocore)
{
	check_token(HOST, 5432, "wagtail", NULL,
		    HOST ":5432" QUERY_START
		    "&X-Amz-Signature=e087fc6a7dcae919995f9700414453e531c91dbfedaa13b8d77798e38e60967e");
	check_token(HOST, 5432, "wagtail", SESSION_TOKEN,
		    HOST ":5432" QUERY_START TOKEN_PARAM
		    "&X-Amz-Signature=9904abb01c83434d16b517ca23585666bdd18be8f5404d439c72041ecf5797c1");
}

/* 443 is https's default port: botocore signs the host without it. */
TEST(rds_token_port_443_as_botocore)
{
	check_token(HOST, 443, "wagtail", NULL,
		    HOST ":443" QUERY_START
		    "&X-Amz-Signature=2816a01445b5a22a6d1bcb606aa91426d77001a9ce6c403e1314bc1239c0e654");
	check_token(HOST, 443, "wagtail", SESSION_TOKEN,
		    HOST ":443" QUERY_START TOKEN_PARAM
		    "&X-Amz-Signature=e4de36eeed8088cf7a117e4b39a29b935bab1cc3e2dfe8247ace115a59ed4e3e");
}

/* botocore signs the host lower-cased; the token keeps it as given. A user
 * name is encoded as a query value. */
TEST(rds_token_mixed_case_host_as_botocore)
{
	check_token(MIXED_CASE_HOST, 5432, "db user+x", NULL,
		    MIXED_CASE_HOST ":5432/?Action=connect&DBUser=db%20user%2Bx&X-Amz-Algorithm=AWS4-HMAC-SHA256"
		    "&X-Amz-Credential=AKIDEXAMPLE%2F20261128%2Feu-west-1%2Frds-db%2Faws4_request"
		    "&X-Amz-Date=20261128T120000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host"
		    "&X-Amz-Signature=7efc92997d8424088e092aab824824c91407f3a34ae41515f75bef85b47be7b3");
	check_token(MIXED_CASE_HOST, 5432, "db user+x", SESSION_TOKEN,
		    MIXED_CASE_HOST ":5432/?Action=connect&DBUser=db%20user%2Bx&X-Amz-Algorithm=AWS4-HMAC-SHA256"
		    "&X-Amz-Credential=AKIDEXAMPLE%2F20261128%2Feu-west-1%2Frds-db%2Faws4_request"
		    "&X-Amz-Date=20261128T120000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host" TOKEN_PARAM
		    "&X-Amz-Signature=dffa4d3123d235ce0e6c3d1d937082b309ad0e1c3180c0716b8ab5fd9d02d0ed");
}
