/* test_partition.c: AWS partitions (aws, aws-cn, aws-us-gov): the default
 * endpoint of every service, the region IAM is signed for, the ARNs the
 * provider builds, and the ARN check. The expected hosts and IAM signing
 * regions are those of the AWS partitions data (endpoints.json) for each
 * service the provider calls. Endpoints and signing regions are checked
 * through the client's functions, with no HTTP; that a call signed so is
 * accepted is checked against the real moto server tests/unit/run.sh
 * starts (MOTO_ENDPOINT), which verifies every signature with the region
 * of its credential scope and keeps each partition's IAM apart. */
#include "unit.h"

#include "client_internal.h"
#include "credentials.h"
#include "http.h"
#include "iam_db_connect_policy.h"
#include "partition.h"
#include "schema.h"
#include "validate.h"

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

/* The region each call is signed for: IAM's is its partition's IAM
 * region (a call signed for another is refused by AWS), every other
 * service's the client's own region, in every partition. */
TEST(partition_signing_region_of_each_service)
{
	static const struct {
		const char *region;
		const aws_service *svc;
		const char *signing_region;
	} cases[] = {
		{"eu-west-1", &aws_iam, "us-east-1"},
		{"us-east-1", &aws_iam, "us-east-1"},
		{"cn-north-1", &aws_iam, "cn-north-1"},
		{"cn-northwest-1", &aws_iam, "cn-north-1"},
		{"us-gov-west-1", &aws_iam, "us-gov-west-1"},
		{"us-gov-east-1", &aws_iam, "us-gov-west-1"},
		{"us-isof-east-1", &aws_iam, "us-isof-south-1"},
		{"eu-west-1", &aws_sts, "eu-west-1"},
		{"cn-northwest-1", &aws_sts, "cn-northwest-1"},
		{"cn-northwest-1", &aws_ecs, "cn-northwest-1"},
		{"cn-northwest-1", &aws_ssm, "cn-northwest-1"},
		{"us-gov-east-1", &aws_sts, "us-gov-east-1"},
		{"us-gov-east-1", &aws_rds, "us-gov-east-1"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		aws_client_config config = {.region = cases[i].region};
		aws_client *c = aws_client_new(&config);
		const char *got = aws_client_signing_region(c, cases[i].svc);
		if (!got || strcmp(got, cases[i].signing_region) != 0) {
			char message[256];
			snprintf(message, sizeof message, "%s in %s signed for %s, want %s", cases[i].svc->name,
				 cases[i].region, got ? got : "(null)", cases[i].signing_region);
			unit_fail(__FILE__, __LINE__, message);
		}
		aws_client_free(c);
	}
}

/* ---- signed for the partition's region, as moto checks it ---- */

/* MOTO_ENDPOINT (through the strict AWS layer) and MOTO_DIRECT_ENDPOINT
 * (moto itself, for its /moto-api/ control), or false (and the test fails
 * saying how to run it) when tests/unit/run.sh did not set them. */
static bool moto_endpoints(const char **endpoint, const char **direct)
{
	*endpoint = getenv("MOTO_ENDPOINT");
	*direct = getenv("MOTO_DIRECT_ENDPOINT");
	if (*endpoint && **endpoint && *direct && **direct)
		return true;
	unit_fail(__FILE__, __LINE__,
		  "no moto server (MOTO_ENDPOINT or MOTO_DIRECT_ENDPOINT not set): this test calls a real "
		  "moto_server; run the unit tests with `tests/unit/run.sh build/unit-tests [FILTER]` or `make "
		  "unit`, which start moto and set them");
	return false;
}

static void fail_with(int line, const aws_error *err)
{
	char message[512];
	snprintf(message, sizeof message, "%s failed: HTTP %d %s: %s", err->operation, err->http_status,
		 err->code ? err->code : "", err->message ? err->message : "");
	unit_fail(__FILE__, line, message);
}

/* Lets moto serve its next `count` requests without checking signatures,
 * as it served the three that made tests/aws/moto.sh's user; it checks
 * again after them. */
static bool moto_free_requests(const char *direct, const char *count)
{
	char url[256];
	http_response answer = {0};
	snprintf(url, sizeof url, "%s/moto-api/reset-auth", direct);
	/* Not a form: moto reads the count from the raw body, which it does
	 * not keep for a form (libcurl's default type for a POST). */
	const sigv4_header type = {"Content-Type", "text/plain"};
	http_request request = {.method = "POST", .url = url, .headers = &type, .header_count = 1, .body = count,
				.body_len = strlen(count)};
	bool ok = http_send(&request, &answer) == 0 && answer.status == 200;
	http_response_free(&answer);
	return ok;
}

/* An IAM user allowed everything in the partition of `region`, with an
 * access key (copied into id and secret). Each partition is a separate
 * AWS with its own accounts, and moto keeps them apart: the key of
 * tests/aws/moto.sh's user, made in aws, is unknown in aws-cn. moto
 * takes the partition from the region the requests are signed for, so
 * the three requests are signed by a client of that region (for IAM, the
 * partition's IAM region), during a window of free requests since no key
 * exists there yet. */
static bool partition_user(const char *endpoint, const char *direct, const char *region, char *id, char *secret,
			   size_t size)
{
	static const char policy[] = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", "
				     "\"Action\": \"*\", \"Resource\": \"*\"}]}";
	sigv4_credentials bootstrap = {"AKIDBOOTSTRAP", "bootstrap", NULL};
	aws_param user[] = {{"UserName", "wagtail-partition"}, {"PolicyName", "everything"},
			    {"PolicyDocument", policy}};
	aws_error err = {0};
	bool ok = false;
	if (!moto_free_requests(direct, "3")) {
		unit_fail(__FILE__, __LINE__, "moto did not take POST /moto-api/reset-auth");
		return false;
	}
	aws_client *iam = aws_client_new_fixed(region, endpoint, &aws_iam, &bootstrap, (http_tls){0});
	xmlDoc *made = aws_query_call(iam, &aws_iam, "CreateUser", user, 1, 0, &err);
	xmlDoc *allowed = made ? aws_query_call(iam, &aws_iam, "PutUserPolicy", user, 3, 0, &err) : NULL;
	xmlDoc *key = allowed ? aws_query_call(iam, &aws_iam, "CreateAccessKey", user, 1, 0, &err) : NULL;
	if (key) {
		char *key_id = aws_xml_text(xmlDocGetRootElement(key), "AccessKey/AccessKeyId");
		char *key_secret = aws_xml_text(xmlDocGetRootElement(key), "AccessKey/SecretAccessKey");
		ok = key_id && key_secret;
		if (ok) {
			snprintf(id, size, "%s", key_id);
			snprintf(secret, size, "%s", key_secret);
		} else {
			unit_fail(__FILE__, __LINE__, "moto's CreateAccessKey answered without AccessKey");
		}
		free(key_id);
		free(key_secret);
	} else {
		fail_with(__LINE__, &err);
	}
	xmlFreeDoc(made);
	xmlFreeDoc(allowed);
	xmlFreeDoc(key);
	aws_error_clear(&err);
	aws_client_free(iam);
	return ok;
}

/* The ARN iam:GetUser gives the caller, calling IAM as the provider does
 * in `region` (its client, IAM's endpoint overridden to point at moto,
 * signed for the partition's IAM region); NULL with *err filled when moto
 * refused it. */
static char *iam_caller_arn(const char *endpoint, const char *region, const char *id, const char *secret,
			    aws_error *err)
{
	const char *const endpoints[] = {"iam", endpoint, NULL};
	credentials_config keys = {.access_key = id, .secret_key = secret, .region = region};
	diag_list diags = {0};
	credentials_source *credentials = credentials_source_new(&keys, &diags);
	aws_client_config config = {.region = region, .endpoints = endpoints, .max_retries = 1,
				    .credentials = credentials};
	aws_client *c = aws_client_new(&config);
	xmlDoc *doc = aws_query_call(c, &aws_iam, "GetUser", NULL, 0, 0, err);
	char *arn = doc ? aws_xml_text(xmlDocGetRootElement(doc), "User/Arn") : NULL;
	xmlFreeDoc(doc);
	aws_client_free(c);
	credentials_source_free(credentials);
	diag_list_clear(&diags);
	return arn;
}

/* A call the provider signs for IAM in a China or GovCloud region is
 * accepted by moto, which checks its signature with the credential
 * scope's region and answers from that region's partition: the ARN of
 * the caller is an aws-cn (aws-us-gov) one. The same key signed for the
 * aws partition (us-east-1) is refused: it names no user there. */
TEST(partition_iam_calls_are_accepted_in_their_partition)
{
	static const struct {
		const char *region, *arn;
	} cases[] = {
		{"cn-northwest-1", "arn:aws-cn:iam::123456789012:user/wagtail-partition"},
		{"us-gov-east-1", "arn:aws-us-gov:iam::123456789012:user/wagtail-partition"},
	};
	const char *endpoint, *direct;
	if (!moto_endpoints(&endpoint, &direct))
		return;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char id[128], secret[128];
		aws_error err = {0};
		if (!partition_user(endpoint, direct, cases[i].region, id, secret, sizeof id))
			continue;
		char *arn = iam_caller_arn(endpoint, cases[i].region, id, secret, &err);
		if (!arn)
			fail_with(__LINE__, &err);
		CHECK_STR(arn, cases[i].arn);
		free(arn);
		aws_error_clear(&err);

		arn = iam_caller_arn(endpoint, "eu-west-1", id, secret, &err);
		CHECK(arn == NULL && aws_error_is(&err, "InvalidClientTokenId"));
		free(arn);
		aws_error_clear(&err);
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
