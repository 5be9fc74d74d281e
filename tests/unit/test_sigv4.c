/* test_sigv4.c: aws/sigv4.c against both public SigV4 test suites (test
 * data under tests/data/sigv4, see its NOTICE), and the RDS auth token
 * against botocore's generate_db_auth_token vector. */
#include "unit.h"

#include "rds_token.h"
#include "sigv4.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

#define MAX_HEADERS 32

static const char *data_dir(void)
{
	const char *dir = getenv("WAGTAIL_TEST_DATA");
	return dir ? dir : "tests/data";
}

/* Whole file, NUL-terminated, without \r; NULL when missing. */
static char *slurp(const char *dir, const char *name)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	int c;
	while ((c = fgetc(f)) != EOF)
		if (c != '\r')
			fputc(c, out);
	fclose(out);
	fclose(f);
	return text;
}

/* A raw HTTP request as the suites write them. Pointers into `text`. */
typedef struct {
	char *text;
	char *method, *path, *query;
	sigv4_header headers[MAX_HEADERS];
	size_t header_count;
	char *body;
} raw_request;

/* Splits the request in place. A line starting with white space continues
 * the previous header value (the folded form in get-header-value-multiline). */
static bool parse_request(raw_request *r, char *text)
{
	char *line = text, *next;
	memset(r, 0, sizeof *r);
	r->text = text;
	next = strchr(line, '\n');
	if (!next)
		return false;
	*next = '\0';
	char *version = strstr(line, " HTTP/");
	char *space = strchr(line, ' ');
	if (!version || !space || space >= version)
		return false;
	*space = *version = '\0';
	r->method = line;
	r->path = space + 1;
	if ((r->query = strchr(r->path, '?')))
		*r->query++ = '\0';
	for (line = next + 1; *line && *line != '\n'; line = next + 1) {
		next = strchr(line, '\n');
		if (next)
			*next = '\0';
		if ((*line == ' ' || *line == '\t') && r->header_count) {
			/* fold: the value's text runs on; the signer collapses the gap */
			char *value = (char *)r->headers[r->header_count - 1].value;
			value[strlen(value)] = '\n';
		} else {
			char *colon = strchr(line, ':');
			if (!colon || r->header_count == MAX_HEADERS)
				return false;
			*colon = '\0';
			r->headers[r->header_count++] = (sigv4_header){line, colon + 1};
		}
		if (!next)
			return true;
	}
	r->body = *line == '\n' ? line + 1 : NULL;
	return true;
}

static sigv4_request to_request(const raw_request *raw, const char *region, const char *service, time_t when)
{
	return (sigv4_request){
		.method = raw->method,
		.path = raw->path,
		.query = raw->query,
		.headers = raw->headers,
		.header_count = raw->header_count,
		.body = raw->body,
		.body_len = raw->body ? strlen(raw->body) : 0,
		.region = region,
		.service = service,
		.time = when,
	};
}

/* Compares one produced part with the expected file; reports the case. */
static bool same(const char *case_name, const char *part, const char *got, const char *want)
{
	if (got && want && strcmp(got, want) == 0)
		return true;
	char message[512];
	snprintf(message, sizeof message, "%s: %s differs", case_name, part);
	unit_fail(__FILE__, __LINE__, message);
	return false;
}

/* The Authorization value in a signed request file. */
static char *authorization_of(const char *signed_request)
{
	const char *at = signed_request ? strstr(signed_request, "\nAuthorization:") : NULL;
	if (!at)
		return NULL;
	at += strlen("\nAuthorization:");
	return strndup(at, strcspn(at, "\n"));
}

static time_t parse_timestamp(const char *iso)
{
	struct tm tm = {0};
	strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return timegm(&tm);
}

static const char *json_text(const cJSON *object, const char *name)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
	return cJSON_IsString(item) ? item->valuestring : NULL;
}

static bool json_flag(const cJSON *object, const char *name)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(object, name));
}

static void check_aws_c_auth_case(const char *dir, const char *name)
{
	char *context_text = slurp(dir, "context.json"), *request_text = slurp(dir, "request.txt");
	cJSON *context = cJSON_Parse(context_text ? context_text : "");
	const cJSON *creds_json = cJSON_GetObjectItemCaseSensitive(context, "credentials");
	raw_request raw;
	char *error = NULL;

	if (!context || !request_text || !parse_request(&raw, request_text)) {
		same(name, "test files", NULL, "");
		goto done;
	}
	sigv4_credentials creds = {json_text(creds_json, "access_key_id"), json_text(creds_json, "secret_access_key"),
				   json_text(creds_json, "token")};
	sigv4_request req = to_request(&raw, json_text(context, "region"), json_text(context, "service"),
				       parse_timestamp(json_text(context, "timestamp")));
	req.keep_path = !json_flag(context, "normalize");
	req.add_content_sha256 = json_flag(context, "sign_body");
	req.omit_session_token = json_flag(context, "omit_session_token");

	const char *files[][2] = {{"header-canonical-request.txt", "canonical request"},
				  {"header-string-to-sign.txt", "string to sign"},
				  {"header-signature.txt", "signature"}};
	sigv4_result out;
	if (sigv4_sign(&req, &creds, &out, &error) == 0) {
		const char *got[] = {out.canonical_request, out.string_to_sign, out.signature};
		for (size_t i = 0; i < 3; i++) {
			char *want = slurp(dir, files[i][0]);
			same(name, files[i][1], got[i], want);
			free(want);
		}
		char *signed_request = slurp(dir, "header-signed-request.txt");
		char *want_auth = authorization_of(signed_request);
		same(name, "Authorization", out.authorization, want_auth);
		free(want_auth);
		free(signed_request);
		sigv4_result_free(&out);
	} else {
		same(name, error, NULL, "");
	}

	const cJSON *expires = cJSON_GetObjectItemCaseSensitive(context, "expiration_in_seconds");
	req.add_content_sha256 = false; /* presigned URLs carry no x-amz-content-sha256 */
	if (sigv4_presign(&req, &creds, (long)expires->valuedouble, &out, &error) == 0) {
		const char *qfiles[][2] = {{"query-canonical-request.txt", "presign canonical request"},
					   {"query-string-to-sign.txt", "presign string to sign"},
					   {"query-signature.txt", "presign signature"}};
		const char *got[] = {out.canonical_request, out.string_to_sign, out.signature};
		for (size_t i = 0; i < 3; i++) {
			char *want = slurp(dir, qfiles[i][0]);
			same(name, qfiles[i][1], got[i], want);
			free(want);
		}
		sigv4_result_free(&out);
	} else {
		same(name, error, NULL, "");
	}
done:
	free(error);
	cJSON_Delete(context);
	free(context_text);
	free(request_text);
}

/* Calls visit(dir, name) for each directory under root holding `marker`
 * (a file name, or "*.req" meaning a file named after the directory).
 * Returns how many it visited. */
static int each_case(const char *root, const char *marker, void (*visit)(const char *, const char *))
{
	DIR *d = opendir(root);
	struct dirent *e;
	int count = 0;
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[1024], probe[1400];
		struct stat st;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", root, e->d_name);
		if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		if (strcmp(marker, "*.req") == 0)
			snprintf(probe, sizeof probe, "%s/%s.req", path, e->d_name);
		else
			snprintf(probe, sizeof probe, "%s/%s", path, marker);
		if (access(probe, R_OK) == 0) {
			visit(path, e->d_name);
			count++;
		}
		count += each_case(path, marker, visit);
	}
	closedir(d);
	return count;
}

TEST(sigv4_aws_c_auth_suite_every_case)
{
	char root[512];
	snprintf(root, sizeof root, "%s/sigv4/aws-c-auth", data_dir());
	int cases = each_case(root, "request.txt", check_aws_c_auth_case);
	CHECK(cases == 38);
}

/* botocore's suite: fixed credentials and time; a session token when the
 * expected canonical request signs one. */
static void check_botocore_case(const char *dir, const char *name)
{
	char file[300];
	char *texts[5];
	const char *exts[5] = {"req", "creq", "sts", "authz", NULL};
	for (size_t i = 0; exts[i]; i++) {
		snprintf(file, sizeof file, "%s.%s", name, exts[i]);
		texts[i] = slurp(dir, file);
	}
	raw_request raw;
	char *error = NULL, *token = NULL;
	const char *at = texts[1] ? strstr(texts[1], "\nx-amz-security-token:") : NULL;
	if (at)
		token = strndup(at + 22, strcspn(at + 22, "\n"));
	sigv4_credentials creds = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token};
	sigv4_result out;

	if (!texts[0] || !parse_request(&raw, texts[0])) {
		same(name, "test files", NULL, "");
	} else {
		sigv4_request req = to_request(&raw, "us-east-1", "service", 1440938160); /* 2015-08-30T12:36:00Z */
		if (sigv4_sign(&req, &creds, &out, &error) == 0) {
			same(name, "canonical request", out.canonical_request, texts[1]);
			same(name, "string to sign", out.string_to_sign, texts[2]);
			same(name, "Authorization", out.authorization, texts[3]);
			sigv4_result_free(&out);
		} else {
			same(name, error, NULL, "");
		}
	}
	for (size_t i = 0; exts[i]; i++)
		free(texts[i]);
	free(token);
	free(error);
}

TEST(sigv4_botocore_suite_every_case)
{
	char root[512];
	snprintf(root, sizeof root, "%s/sigv4/botocore", data_dir());
	int cases = each_case(root, "*.req", check_botocore_case);
	CHECK(cases == 34);
}

TEST(sigv4_uri_encode_keeps_only_unreserved)
{
	char *a = sigv4_uri_encode("a b/c~d+é", strlen("a b/c~d+é"), true);
	char *b = sigv4_uri_encode("/x y/", 5, false);
	CHECK_STR(a, "a%20b%2Fc~d%2B%C3%A9");
	CHECK_STR(b, "/x%20y/");
	free(a);
	free(b);
}

/* botocore tests/unit/test_signers.py TestGenerateDBAuthToken: akid/skid,
 * 2016-11-07T17:39:33Z, us-east-1. Parameter order is not part of it. */
TEST(rds_token_matches_botocore_generate_db_auth_token)
{
	sigv4_credentials creds = {"akid", "skid", NULL};
	char *error = NULL;
	char *token = rds_token_generate("prod-instance.us-east-1.rds.amazonaws.com", 3306, "someusername", "us-east-1",
					 &creds, 1478540373, &error);
	CHECK(token != NULL);
	CHECK(token && strncmp(token, "prod-instance.us-east-1.rds.amazonaws.com:3306/?", 48) == 0);
	const char *want[] = {
		"Action=connect", "DBUser=someusername", "X-Amz-Algorithm=AWS4-HMAC-SHA256",
		"X-Amz-Date=20161107T173933Z", "X-Amz-SignedHeaders=host", "X-Amz-Expires=900",
		"X-Amz-Credential=akid%2F20161107%2Fus-east-1%2Frds-db%2Faws4_request",
		"X-Amz-Signature=d1138cdbc0ca63eec012ec0fc6c2267e03642168f5884a7795320d4c18374c61",
	};
	for (size_t i = 0; token && i < sizeof want / sizeof *want; i++)
		if (!strstr(token, want[i]))
			unit_fail(__FILE__, __LINE__, want[i]);
	free(token);
	free(error);
}
