/* test_partition.c: AWS partitions (aws, aws-cn, aws-us-gov): the default
 * endpoint of every service, the region IAM is signed for, the ARNs the
 * provider builds, and the ARN check. The expected hosts and IAM signing
 * regions are those of the AWS partitions data (endpoints.json) for each
 * service the provider calls. */
#include "unit.h"

#include "client_internal.h"
#include "iam_db_connect_policy.h"
#include "partition.h"
#include "schema.h"
#include "validate.h"

#include "fake_http.h"

#include <stdio.h>
#include <stdlib.h>

/* The variables that override endpoints, saved and cleared so that the
 * defaults show. */
static const char *const endpoint_variables[] = {
	"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_ECS", "AWS_ENDPOINT_URL_ECR", "AWS_ENDPOINT_URL_SSM",
	"AWS_ENDPOINT_URL_LOGS", "AWS_ENDPOINT_URL_SECRETSMANAGER", "AWS_ENDPOINT_URL_LAMBDA",
	"AWS_ENDPOINT_URL_RDS", "AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_EC2", NULL,
};
#define ENDPOINT_VARIABLES 11

static void clear_endpoint_variables(char *saved[ENDPOINT_VARIABLES])
{
	for (size_t i = 0; endpoint_variables[i]; i++) {
		const char *value = getenv(endpoint_variables[i]);
		saved[i] = value ? strdup(value) : NULL;
		unsetenv(endpoint_variables[i]);
	}
}

static void restore_endpoint_variables(char *saved[ENDPOINT_VARIABLES])
{
	for (size_t i = 0; endpoint_variables[i]; i++) {
		if (saved[i])
			setenv(endpoint_variables[i], saved[i], 1);
		free(saved[i]);
	}
}

typedef struct {
	const aws_service *svc;
	const char *url;
} expected_endpoint;

static void check_defaults(const char *region, const expected_endpoint *want)
{
	char *saved[ENDPOINT_VARIABLES];
	aws_client_config config = {.region = region};
	clear_endpoint_variables(saved);
	aws_client *c = aws_client_new(&config);
	for (; want->svc; want++) {
		const char *got = aws_client_endpoint(c, want->svc);
		if (!got || strcmp(got, want->url) != 0) {
			char message[256];
			snprintf(message, sizeof message, "%s in %s: %s, want %s", want->svc->name, region,
				 got ? got : "(null)", want->url);
			unit_fail(__FILE__, __LINE__, message);
		}
	}
	aws_client_free(c);
	restore_endpoint_variables(saved);
}

TEST(partition_default_endpoints_in_aws)
{
	check_defaults("eu-west-1", (const expected_endpoint[]){
		{&aws_ecs, "https://ecs.eu-west-1.amazonaws.com"},
		{&aws_ecr, "https://api.ecr.eu-west-1.amazonaws.com"},
		{&aws_ssm, "https://ssm.eu-west-1.amazonaws.com"},
		{&aws_logs, "https://logs.eu-west-1.amazonaws.com"},
		{&aws_secretsmanager, "https://secretsmanager.eu-west-1.amazonaws.com"},
		{&aws_lambda, "https://lambda.eu-west-1.amazonaws.com"},
		{&aws_rds, "https://rds.eu-west-1.amazonaws.com"},
		{&aws_ec2, "https://ec2.eu-west-1.amazonaws.com"},
		{&aws_sts, "https://sts.eu-west-1.amazonaws.com"},
		{&aws_iam, "https://iam.amazonaws.com"},
		{NULL},
	});
}

TEST(partition_default_endpoints_in_aws_cn)
{
	static const char *const regions[] = {"cn-north-1", "cn-northwest-1"};
	for (size_t i = 0; i < 2; i++) {
		char urls[9][96];
		const aws_service *regional[] = {&aws_ecs, &aws_ssm, &aws_logs, &aws_secretsmanager, &aws_lambda,
						 &aws_rds, &aws_ec2, &aws_sts};
		expected_endpoint want[11];
		size_t n = 0;
		for (; n < 8; n++) {
			snprintf(urls[n], sizeof urls[n], "https://%s.%s.amazonaws.com.cn", regional[n]->name, regions[i]);
			want[n] = (expected_endpoint){regional[n], urls[n]};
		}
		snprintf(urls[8], sizeof urls[8], "https://api.ecr.%s.amazonaws.com.cn", regions[i]);
		want[n++] = (expected_endpoint){&aws_ecr, urls[8]};
		/* One IAM endpoint for the partition, in cn-north-1. */
		want[n++] = (expected_endpoint){&aws_iam, "https://iam.cn-north-1.amazonaws.com.cn"};
		want[n] = (expected_endpoint){NULL};
		check_defaults(regions[i], want);
	}
}

TEST(partition_default_endpoints_in_aws_us_gov)
{
	static const char *const regions[] = {"us-gov-west-1", "us-gov-east-1"};
	for (size_t i = 0; i < 2; i++) {
		char urls[9][96];
		const aws_service *regional[] = {&aws_ecs, &aws_ssm, &aws_logs, &aws_secretsmanager, &aws_lambda,
						 &aws_rds, &aws_ec2, &aws_sts};
		expected_endpoint want[11];
		size_t n = 0;
		for (; n < 8; n++) {
			snprintf(urls[n], sizeof urls[n], "https://%s.%s.amazonaws.com", regional[n]->name, regions[i]);
			want[n] = (expected_endpoint){regional[n], urls[n]};
		}
		snprintf(urls[8], sizeof urls[8], "https://api.ecr.%s.amazonaws.com", regions[i]);
		want[n++] = (expected_endpoint){&aws_ecr, urls[8]};
		want[n++] = (expected_endpoint){&aws_iam, "https://iam.us-gov.amazonaws.com"};
		want[n] = (expected_endpoint){NULL};
		check_defaults(regions[i], want);
	}
}

TEST(partition_of_each_region)
{
	static const struct {
		const char *region, *name, *dns_suffix, *iam_host, *iam_region;
	} cases[] = {
		{"eu-west-1", "aws", "amazonaws.com", "iam.amazonaws.com", "us-east-1"},
		{"us-east-1", "aws", "amazonaws.com", "iam.amazonaws.com", "us-east-1"},
		{"ap-southeast-7", "aws", "amazonaws.com", "iam.amazonaws.com", "us-east-1"},
		{"cn-north-1", "aws-cn", "amazonaws.com.cn", "iam.cn-north-1.amazonaws.com.cn", "cn-north-1"},
		{"cn-northwest-1", "aws-cn", "amazonaws.com.cn", "iam.cn-north-1.amazonaws.com.cn", "cn-north-1"},
		{"us-gov-west-1", "aws-us-gov", "amazonaws.com", "iam.us-gov.amazonaws.com", "us-gov-west-1"},
		{"us-gov-east-1", "aws-us-gov", "amazonaws.com", "iam.us-gov.amazonaws.com", "us-gov-west-1"},
		{"us-iso-east-1", "aws-iso", "c2s.ic.gov", "iam.us-iso-east-1.c2s.ic.gov", "us-iso-east-1"},
		{"us-isob-east-1", "aws-iso-b", "sc2s.sgov.gov", "iam.us-isob-east-1.sc2s.sgov.gov", "us-isob-east-1"},
		{"us-isof-east-1", "aws-iso-f", "csp.hci.ic.gov", "iam.us-isof-south-1.csp.hci.ic.gov", "us-isof-south-1"},
		{"xx-newregion-1", "aws", "amazonaws.com", "iam.amazonaws.com", "us-east-1"},
		{NULL, "aws", "amazonaws.com", "iam.amazonaws.com", "us-east-1"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const aws_partition *p = aws_partition_of(cases[i].region);
		CHECK_STR(p->name, cases[i].name);
		CHECK_STR(p->dns_suffix, cases[i].dns_suffix);
		CHECK_STR(p->iam_host, cases[i].iam_host);
		CHECK_STR(p->iam_region, cases[i].iam_region);
	}
}

TEST(partition_signing_region_of_each_service)
{
	aws_client_config config = {.region = "cn-northwest-1"};
	aws_client *c = aws_client_new(&config);
	CHECK_STR(aws_client_signing_region(c, &aws_iam), "cn-north-1");
	CHECK_STR(aws_client_signing_region(c, &aws_sts), "cn-northwest-1");
	CHECK_STR(aws_client_signing_region(c, &aws_ecs), "cn-northwest-1");
	aws_client_free(c);
	config.region = "us-gov-east-1";
	c = aws_client_new(&config);
	CHECK_STR(aws_client_signing_region(c, &aws_iam), "us-gov-west-1");
	CHECK_STR(aws_client_signing_region(c, &aws_rds), "us-gov-east-1");
	aws_client_free(c);
	config.region = "eu-west-1";
	c = aws_client_new(&config);
	CHECK_STR(aws_client_signing_region(c, &aws_iam), "us-east-1");
	aws_client_free(c);
}

/* ---- the region a call is signed for, as it goes on the wire ---- */

static int empty_query_answer(void *arg, const char *request, char *body, size_t size)
{
	(void)arg, (void)request;
	snprintf(body, size, "<GetUserResponse><GetUserResult/></GetUserResponse>");
	return 200;
}

/* The credential scope of one call of svc made in region, as the
 * Authorization header carries it: "20261128/cn-north-1/iam/aws4_request"
 * from the date on. Returns false when no call arrived. */
static bool signed_scope(const char *region, const aws_service *svc, char *scope, size_t size)
{
	fake_http *server = fake_http_start(empty_query_answer, NULL);
	sigv4_credentials key = {"AKIDEXAMPLE", "secret", NULL};
	aws_error err = {0};
	aws_client *c = aws_client_new_fixed(region, fake_http_url(server), svc, &key, (http_tls){0});
	xmlDoc *doc = aws_query_call(c, svc, "GetUser", NULL, 0, 0, &err);
	const char *credential = strstr(fake_http_log(server), "Credential=AKIDEXAMPLE/");
	bool found = credential != NULL;
	if (found) {
		credential += strlen("Credential=AKIDEXAMPLE/");
		snprintf(scope, size, "%.*s", (int)strcspn(credential, ", \r\n"), credential);
		/* Drop the date: the rest is what the partition decides. */
		memmove(scope, scope + strcspn(scope, "/") + 1, strlen(scope) - strcspn(scope, "/"));
	}
	xmlFreeDoc(doc);
	aws_error_clear(&err);
	aws_client_free(c);
	fake_http_stop(server);
	return found;
}

TEST(partition_iam_is_signed_for_the_partition_region)
{
	static const struct {
		const char *region;
		const aws_service *svc;
		const char *scope;
	} cases[] = {
		{"eu-west-1", &aws_iam, "us-east-1/iam/aws4_request"},
		{"us-east-1", &aws_iam, "us-east-1/iam/aws4_request"},
		{"cn-north-1", &aws_iam, "cn-north-1/iam/aws4_request"},
		{"cn-northwest-1", &aws_iam, "cn-north-1/iam/aws4_request"},
		{"us-gov-west-1", &aws_iam, "us-gov-west-1/iam/aws4_request"},
		{"us-gov-east-1", &aws_iam, "us-gov-west-1/iam/aws4_request"},
		/* STS is regional in every partition. */
		{"cn-northwest-1", &aws_sts, "cn-northwest-1/sts/aws4_request"},
		{"us-gov-east-1", &aws_sts, "us-gov-east-1/sts/aws4_request"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char scope[128] = "";
		CHECK(signed_scope(cases[i].region, cases[i].svc, scope, sizeof scope));
		if (strcmp(scope, cases[i].scope) != 0) {
			char message[256];
			snprintf(message, sizeof message, "%s in %s signed for %s, want %s", cases[i].svc->name,
				 cases[i].region, scope, cases[i].scope);
			unit_fail(__FILE__, __LINE__, message);
		}
	}
}

/* ---- ARNs ---- */

TEST(partition_of_rds_db_user_arns)
{
	char *aws = rds_db_user_arn("eu-west-1", "123456789012", "cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ", "wagtail");
	char *cn = rds_db_user_arn("cn-northwest-1", "123456789012", "cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ", "wagtail");
	char *gov = rds_db_user_arn("us-gov-west-1", "123456789012", "cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ", "wagtail");
	CHECK_STR(aws, "arn:aws:rds-db:eu-west-1:123456789012:dbuser:cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ/wagtail");
	CHECK_STR(cn, "arn:aws-cn:rds-db:cn-northwest-1:123456789012:dbuser:cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ/wagtail");
	CHECK_STR(gov,
		  "arn:aws-us-gov:rds-db:us-gov-west-1:123456789012:dbuser:cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ/wagtail");
	free(aws);
	free(cn);
	free(gov);
}

/* The data source's policy names the users in the cluster's partition. */
TEST(partition_of_the_db_connect_policy_document)
{
	const resource_def *policy = schema_find_data_source("wagtail_iam_db_connect_policy");
	diag_list diags = {0};
	call_ctx ctx = {.diags = &diags};
	cty_value *config = cty_object_new(resource_state_type(policy));
	cty_value *users = cty_collection_new(&cty_list_of_string);
	cty_append(users, cty_string_new("wagtail"));
	cty_object_set(config, "region", cty_string_new("cn-north-1"));
	cty_object_set(config, "account_id", cty_string_new("123456789012"));
	cty_object_set(config, "cluster_resource_id", cty_string_new("cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ"));
	cty_object_set(config, "db_users", users);
	validate_config(policy, config, &diags);
	CHECK(diags.count == 0);
	cty_value *state = policy->read(&ctx, config);
	CHECK(diags.count == 0);
	CHECK(state && strstr(cty_object_get_string(state, "json"),
			      "\"arn:aws-cn:rds-db:cn-north-1:123456789012:dbuser:cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ/"
			      "wagtail\""));
	cty_value_free(state);
	cty_value_free(config);
	diag_list_clear(&diags);
}

TEST(partition_arn_check_accepts_every_partition)
{
	const attr_check arn = {CHECK_ARN};
	char why[256];
	CHECK(validate_string(&arn, "arn:aws:iam::123456789012:role/wagtail", why, sizeof why));
	CHECK(validate_string(&arn, "arn:aws-cn:iam::123456789012:role/wagtail", why, sizeof why));
	CHECK(validate_string(&arn, "arn:aws-us-gov:iam::123456789012:role/wagtail", why, sizeof why));
	CHECK(validate_string(&arn, "arn:aws-cn:kms:cn-north-1:123456789012:key/1234abcd", why, sizeof why));
	CHECK(validate_string(&arn, "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:purge", why,
			      sizeof why));
	CHECK(!validate_string(&arn, "arn::iam::123456789012:role/wagtail", why, sizeof why));
	CHECK(!validate_string(&arn, "arn:aws-cn:iam::123456789012", why, sizeof why));
}
