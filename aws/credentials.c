/* credentials.c: the credential chain (see credentials.h).
 *
 * Each link of the chain is a step that answers FOUND (credentials in
 * *out), ABSENT (not configured here: go on, noting what was looked at) or
 * FAILED (configured here but broken: stop, with an error in diags). A
 * broken source stops the chain, as in the SDKs, so that a typo in a
 * profile never silently falls through to some other identity.
 *
 * The source keeps the step that found its base credentials, so refreshing
 * temporary credentials re-runs that step alone: a new web identity token,
 * a new credential_process run, a new container or IMDS fetch.
 *
 * Secrets are wiped before their memory is freed, and neither logs nor
 * diagnostics ever hold one: messages name variables, files and profiles,
 * never values read from them. */
#include "credentials.h"

#include "client_internal.h"
#include "ini.h"
#include "log.h"
#include "sts.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>

#define DEFAULT_SESSION_NAME "terraform-provider-wagtail"
#define REFRESH_MARGIN_SECONDS 300    /* refresh when less than this is left */
#define STS_TIMEOUT_SECONDS 30.0
#define CONTAINER_TIMEOUT_SECONDS 5.0
#define IMDS_TIMEOUT_SECONDS 1.0      /* off EC2 nothing answers: fail fast */
#define IMDS_TLS ((http_tls){0})      /* IMDS is plain HTTP on a link-local address */
#define IMDS_TOKEN_TTL "21600"
#define CONTAINER_HOST "http://169.254.170.2"
#define IMDS_DEFAULT_ENDPOINT "http://169.254.169.254"
#define PROCESS_OUTPUT_LIMIT (64 * 1024)
#define PROFILE_CHAIN_MAX 8           /* source_profile hops */

typedef enum { STEP_FOUND, STEP_ABSENT, STEP_FAILED } step_result;

/* What the chain looked at, for the error when nothing answered. */
typedef struct {
	char *text; /* "a; b; c", or NULL */
} tried_list;

typedef step_result (*step_fn)(const credentials_source *s, aws_credentials *out, tried_list *tried,
			       diag_list *diags);

typedef struct {
	const char *name; /* for logs */
	step_fn resolve;
} chain_step;

struct credentials_source {
	pthread_mutex_t lock;
	char *access_key, *secret_key, *token; /* explicit arguments, or NULL */
	char *profile;                         /* as configured, or NULL */
	char *region, *sts_endpoint, *ca_bundle;
	bool insecure; /* see http_tls */
	char *role_arn, *session_name, *external_id; /* assume_role; role_arn NULL: none */
	long duration_seconds;
	const chain_step *step;  /* the step that found base */
	aws_credentials base;    /* what the chain found */
	aws_credentials current; /* base, or the role assumed with it */
};

/* ---- small helpers ---- */

static http_tls tls_of(const credentials_source *s)
{
	return (http_tls){s->ca_bundle, s->insecure};
}

static char *copy_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

/* An environment variable, treating empty as unset as the SDKs do. */
static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

static void secret_free(char *s)
{
	if (s)
		explicit_bzero(s, strlen(s));
	free(s);
}

static double monotonic_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void tried_add(tried_list *t, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void tried_add(tried_list *t, const char *format, ...)
{
	char *item, *joined;
	va_list args;
	va_start(args, format);
	if (vasprintf(&item, format, args) < 0)
		abort();
	va_end(args);
	if (asprintf(&joined, "%s%s%s", t->text ? t->text : "", t->text ? "; " : "", item) < 0)
		abort();
	free(item);
	free(t->text);
	t->text = joined;
}

/* A whole small file, trailing whitespace trimmed (token files end with a
 * newline that must not reach a header). NULL with errno set on failure. */
static char *read_trimmed_file(const char *path)
{
	FILE *in = fopen(path, "r");
	char *text = NULL;
	size_t capacity = 0;
	if (!in)
		return NULL;
	/* Reading up to a NUL that text files do not have reads it all. */
	ssize_t len = getdelim(&text, &capacity, '\0', in);
	int error = ferror(in) ? errno : 0;
	fclose(in);
	if (!text)
		abort();
	if (error) {
		explicit_bzero(text, capacity);
		free(text);
		errno = error;
		return NULL;
	}
	if (len < 0) /* an empty file: getdelim reports the end at once */
		len = 0;
	text[len] = '\0';
	while (len > 0 && isspace((unsigned char)text[len - 1]))
		text[--len] = '\0';
	return text;
}

/* ---- credentials values ---- */

void aws_credentials_clear(aws_credentials *c)
{
	secret_free(c->access_key_id);
	secret_free(c->secret_access_key);
	secret_free(c->session_token);
	memset(c, 0, sizeof *c);
}

static void credentials_set(aws_credentials *c, const char *id, const char *secret, const char *token,
			    time_t expiration, const char *source)
{
	c->access_key_id = strdup(id);
	c->secret_access_key = strdup(secret);
	c->session_token = token && *token ? strdup(token) : NULL;
	c->expiration = expiration;
	c->source = source;
}

static void credentials_copy(aws_credentials *to, const aws_credentials *from)
{
	credentials_set(to, from->access_key_id, from->secret_access_key, from->session_token, from->expiration,
			from->source);
}

/* Temporary credentials are due for refresh in their last minutes, so that
 * no request is signed with credentials that expire while in flight. */
static bool refresh_due(const aws_credentials *c)
{
	return c->expiration != 0 && c->expiration - time(NULL) < REFRESH_MARGIN_SECONDS;
}

static bool expired(const aws_credentials *c)
{
	return c->expiration != 0 && c->expiration <= time(NULL);
}

/* ---- JSON answers (credential_process, container, IMDS) ---- */

/* cJSON frees without wiping; these documents hold secrets. */
static void json_wipe(cJSON *node)
{
	for (; node; node = node->next) {
		if (node->valuestring)
			explicit_bzero(node->valuestring, strlen(node->valuestring));
		json_wipe(node->child);
	}
}

static void json_delete_wiped(cJSON *doc)
{
	json_wipe(doc);
	cJSON_Delete(doc);
}

static const char *json_string(const cJSON *doc, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, key);
	return cJSON_IsString(v) && *v->valuestring ? v->valuestring : NULL;
}

/* The fields every JSON credential answer shares; token_key names the
 * session token ("Token" or "SessionToken"). Returns NULL, or what is
 * wrong: static text naming fields, never their values. */
static const char *credentials_from_json(const cJSON *doc, const char *token_key, const char *source,
					 aws_credentials *out)
{
	const char *id = json_string(doc, "AccessKeyId"), *secret = json_string(doc, "SecretAccessKey");
	const char *expiration = json_string(doc, "Expiration");
	time_t expires = 0;
	if (!cJSON_IsObject(doc))
		return "the answer is not a JSON object";
	if (!id || !secret)
		return "the answer lacks AccessKeyId or SecretAccessKey";
	if (expiration && (expires = aws_parse_timestamp(expiration)) == 0)
		return "Expiration is not an ISO 8601 time";
	credentials_set(out, id, secret, json_string(doc, token_key), expires, source);
	return NULL;
}

/* ---- STS ---- */

static void report_sts_failure(diag_list *diags, const char *what, const aws_error *err)
{
	diag_add(diags, DIAG_ERROR, NULL, "Cannot get AWS credentials", "%s: %s failed: %s%s%s", what,
		 err->operation, err->code ? err->code : "", err->code ? ": " : "",
		 err->message && *err->message ? err->message : "no message");
}

/* AssumeRole signed with `with`; `what` says why, for the error. */
static step_result assume_role_with(const credentials_source *s, const aws_credentials *with,
				    const aws_assume_role *role, const char *what, aws_credentials *out,
				    diag_list *diags)
{
	sigv4_credentials signer = {with->access_key_id, with->secret_access_key, with->session_token};
	aws_client *sts = aws_client_new_fixed(s->region, s->sts_endpoint, &aws_sts, &signer, tls_of(s));
	aws_error err = {0};
	int rc = sts_assume_role(sts, role, monotonic_now() + STS_TIMEOUT_SECONDS, out, &err);
	aws_client_free(sts);
	if (rc != 0)
		report_sts_failure(diags, what, &err);
	aws_error_clear(&err);
	return rc == 0 ? STEP_FOUND : STEP_FAILED;
}

/* ---- 1. explicit arguments ---- */

static step_result from_explicit(const credentials_source *s, aws_credentials *out, tried_list *tried,
				 diag_list *diags)
{
	if (!s->access_key && !s->secret_key) {
		tried_add(tried, "access_key/secret_key arguments (not set)");
		return STEP_ABSENT;
	}
	if (!s->access_key || !s->secret_key) {
		diag_attr_error(diags, s->access_key ? "secret_key" : "access_key", "Incomplete AWS credentials",
				"access_key and secret_key must be set together.");
		return STEP_FAILED;
	}
	credentials_set(out, s->access_key, s->secret_key, s->token, 0, "explicit");
	return STEP_FOUND;
}

/* ---- 2. environment ---- */

static step_result from_environment(const credentials_source *s, aws_credentials *out, tried_list *tried,
				    diag_list *diags)
{
	(void)s, (void)diags;
	const char *id = env("AWS_ACCESS_KEY_ID"), *secret = env("AWS_SECRET_ACCESS_KEY");
	if (!id || !secret) {
		tried_add(tried, "environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not both set)");
		return STEP_ABSENT;
	}
	credentials_set(out, id, secret, env("AWS_SESSION_TOKEN"), 0, "environment");
	return STEP_FOUND;
}

/* ---- 3. web identity ---- */

static step_result from_web_identity(const credentials_source *s, aws_credentials *out, tried_list *tried,
				     diag_list *diags)
{
	const char *token_file = env("AWS_WEB_IDENTITY_TOKEN_FILE"), *role_arn = env("AWS_ROLE_ARN");
	if (!token_file || !role_arn) {
		tried_add(tried, "web identity (AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN not both set)");
		return STEP_ABSENT;
	}
	char *token = read_trimmed_file(token_file);
	if (!token) {
		diag_add(diags, DIAG_ERROR, NULL, "Cannot read the web identity token",
			 "AWS_WEB_IDENTITY_TOKEN_FILE %s: %s", token_file, strerror(errno));
		return STEP_FAILED;
	}
	const char *session = env("AWS_ROLE_SESSION_NAME");
	aws_assume_role role = {.role_arn = role_arn, .session_name = session ? session : DEFAULT_SESSION_NAME};
	aws_client *sts = aws_client_new_fixed(s->region, s->sts_endpoint, &aws_sts, NULL, tls_of(s));
	aws_error err = {0};
	int rc = sts_assume_role_with_web_identity(sts, &role, token, monotonic_now() + STS_TIMEOUT_SECONDS, out,
						   &err);
	aws_client_free(sts);
	secret_free(token);
	if (rc != 0)
		report_sts_failure(diags, "web identity (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE)", &err);
	aws_error_clear(&err);
	return rc == 0 ? STEP_FOUND : STEP_FAILED;
}

/* ---- 4. shared files: static keys, credential_process, role_arn ---- */

typedef struct {
	char *credentials_path, *config_path; /* NULL when neither variable nor HOME says */
	ini *credentials, *config;
} shared_files;

/* The profiles a source_profile chain went through, for loop detection. */
typedef struct {
	const char *names[PROFILE_CHAIN_MAX];
	int count;
} profile_chain;

static step_result resolve_profile(const credentials_source *s, const shared_files *f, const char *name,
				   profile_chain *chain, aws_credentials *out, diag_list *diags);

/* The variable's path ("~/" expanded, as the CLI does), else ~/.aws/<name>. */
static char *shared_file_path(const char *variable, const char *default_name)
{
	const char *set = env(variable), *home = env("HOME");
	char *path = NULL;
	if (set && strncmp(set, "~/", 2) == 0 && home) {
		if (asprintf(&path, "%s%s", home, set + 1) < 0)
			abort();
	} else if (set) {
		path = strdup(set);
	} else if (home && asprintf(&path, "%s/.aws/%s", home, default_name) < 0) {
		abort();
	}
	return path;
}

/* Neither file has to exist; a missing one reads as empty. */
static ini *load_shared_file(const char *path, diag_list *diags)
{
	char *error = NULL;
	ini *f = path ? ini_load(path, &error) : ini_parse("", 0, &error);
	if (!f) {
		diag_add(diags, DIAG_ERROR, NULL, "Cannot read an AWS shared configuration file", "%s", error);
		free(error);
	}
	return f;
}

static void shared_files_free(shared_files *f)
{
	ini_free(f->credentials);
	ini_free(f->config);
	free(f->credentials_path);
	free(f->config_path);
}

static int shared_files_load(shared_files *f, diag_list *diags)
{
	f->credentials_path = shared_file_path("AWS_SHARED_CREDENTIALS_FILE", "credentials");
	f->config_path = shared_file_path("AWS_CONFIG_FILE", "config");
	f->credentials = load_shared_file(f->credentials_path, diags);
	f->config = f->credentials ? load_shared_file(f->config_path, diags) : NULL;
	return f->config ? 0 : -1;
}

static const char *path_or_none(const char *path)
{
	return path ? path : "(HOME not set)";
}

/* A key of a profile: the credentials file's [NAME] first, then the config
 * file's [profile NAME], or [default] for the default profile. */
static const char *profile_get(const shared_files *f, const char *name, const char *key)
{
	char *section;
	const char *v = ini_get(f->credentials, name, key);
	if (asprintf(&section, "profile %s", name) < 0)
		abort();
	if (!v)
		v = ini_get(f->config, section, key);
	if (!v && strcmp(name, "default") == 0)
		v = ini_get(f->config, "default", key);
	free(section);
	return v && *v ? v : NULL;
}

static bool profile_exists(const shared_files *f, const char *name)
{
	char *section;
	if (asprintf(&section, "profile %s", name) < 0)
		abort();
	bool found = ini_has_section(f->credentials, name) || ini_has_section(f->config, section) ||
		     (strcmp(name, "default") == 0 && ini_has_section(f->config, "default"));
	free(section);
	return found;
}

static bool profile_static_keys(const shared_files *f, const char *name, aws_credentials *out)
{
	const char *id = profile_get(f, name, "aws_access_key_id");
	const char *secret = profile_get(f, name, "aws_secret_access_key");
	if (!id || !secret)
		return false;
	credentials_set(out, id, secret, profile_get(f, name, "aws_session_token"), 0, "shared_credentials");
	return true;
}

/* Why a command run by popen did not succeed, from pclose's status. */
static char *describe_failure(int status, bool too_long)
{
	char *why = NULL;
	int printed;
	if (too_long)
		printed = asprintf(&why, "its output is longer than %d bytes", PROCESS_OUTPUT_LIMIT);
	else if (WIFEXITED(status))
		printed = asprintf(&why, "it exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		printed = asprintf(&why, "it was killed by signal %d", WTERMSIG(status));
	else
		printed = asprintf(&why, "it did not finish normally");
	if (printed < 0)
		abort();
	return why;
}

/* Runs command through /bin/sh -c (popen), as the AWS CLI does, and returns
 * its standard output, or NULL with *why set (malloc'd, no output in it:
 * the output is the secret). */
static char *run_command(const char *command, char **why)
{
	FILE *pipe = popen(command, "r");
	if (!pipe) {
		if (asprintf(why, "cannot start /bin/sh: %s", strerror(errno)) < 0)
			abort();
		return NULL;
	}
	char *output = malloc(PROCESS_OUTPUT_LIMIT + 1);
	size_t len = 0, n;
	if (!output)
		abort();
	while (len < PROCESS_OUTPUT_LIMIT && (n = fread(output + len, 1, PROCESS_OUTPUT_LIMIT - len, pipe)) > 0)
		len += n;
	bool too_long = len == PROCESS_OUTPUT_LIMIT && fgetc(pipe) != EOF;
	int status = pclose(pipe);
	output[len] = '\0';
	if (!too_long && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return output;
	*why = describe_failure(status, too_long);
	secret_free(output);
	return NULL;
}

/* Reads a credential_process answer: JSON with "Version": 1 (the CLI's
 * contract). Returns NULL, or what is wrong (never a value). */
static const char *process_answer(const cJSON *doc, aws_credentials *out)
{
	const cJSON *version = cJSON_GetObjectItemCaseSensitive(doc, "Version");
	if (!doc)
		return "its output is not JSON";
	if (!cJSON_IsNumber(version) || version->valueint != 1)
		return "its output lacks \"Version\": 1";
	return credentials_from_json(doc, "SessionToken", "credential_process", out);
}

static step_result from_credential_process(const char *profile, const char *command, aws_credentials *out,
					   diag_list *diags)
{
	char *why = NULL;
	char *output = run_command(command, &why);
	cJSON *doc = output ? cJSON_Parse(output) : NULL;
	const char *problem = output ? process_answer(doc, out) : why;
	if (problem)
		diag_add(diags, DIAG_ERROR, NULL, "credential_process failed",
			 "The credential_process of profile \"%s\": %s.", profile, problem);
	json_delete_wiped(doc);
	secret_free(output);
	free(why);
	return problem ? STEP_FAILED : STEP_FOUND;
}

static bool chain_contains(const profile_chain *chain, const char *name)
{
	for (int i = 0; i < chain->count; i++)
		if (strcmp(chain->names[i], name) == 0)
			return true;
	return false;
}

/* The credentials a role profile's source_profile yields. A profile may name
 * itself as its source: then its own static keys are the source (the CLI's
 * rule), which is not a loop. */
static step_result source_profile_credentials(const credentials_source *s, const shared_files *f, const char *name,
					      const char *source, profile_chain *chain, aws_credentials *out,
					      diag_list *diags)
{
	if (strcmp(source, name) == 0)
		return profile_static_keys(f, name, out) ? STEP_FOUND : STEP_ABSENT;
	if (chain_contains(chain, source) || chain->count == PROFILE_CHAIN_MAX) {
		diag_add(diags, DIAG_ERROR, NULL, "AWS profile loop",
			 "Profile \"%s\" names source_profile \"%s\", which leads back to itself (or the chain is "
			 "longer than %d profiles).", name, source, PROFILE_CHAIN_MAX);
		return STEP_FAILED;
	}
	if (!profile_exists(f, source)) {
		diag_add(diags, DIAG_ERROR, NULL, "AWS profile not found",
			 "Profile \"%s\" names source_profile \"%s\", which is in neither %s nor %s.", name, source,
			 path_or_none(f->credentials_path), path_or_none(f->config_path));
		return STEP_FAILED;
	}
	return resolve_profile(s, f, source, chain, out, diags);
}

/* role_arn + source_profile: resolve the source, then AssumeRole with it. */
static step_result from_role_profile(const credentials_source *s, const shared_files *f, const char *name,
				     profile_chain *chain, aws_credentials *out, diag_list *diags)
{
	const char *source = profile_get(f, name, "source_profile");
	const char *duration = profile_get(f, name, "duration_seconds");
	aws_credentials with = {0};
	char *what = NULL;
	if (!source) {
		diag_add(diags, DIAG_ERROR, NULL, "Unsupported AWS profile",
			 "Profile \"%s\" has role_arn without source_profile; credential_source is not supported.",
			 name);
		return STEP_FAILED;
	}
	step_result r = source_profile_credentials(s, f, name, source, chain, &with, diags);
	if (r == STEP_ABSENT)
		diag_add(diags, DIAG_ERROR, NULL, "No AWS credentials in source profile",
			 "Profile \"%s\" names source_profile \"%s\", which holds no credentials.", name, source);
	if (r != STEP_FOUND)
		return STEP_FAILED;
	aws_assume_role role = {
		.role_arn = profile_get(f, name, "role_arn"),
		.session_name = profile_get(f, name, "role_session_name"),
		.external_id = profile_get(f, name, "external_id"),
		.duration_seconds = duration ? strtol(duration, NULL, 10) : 0,
	};
	if (!role.session_name)
		role.session_name = DEFAULT_SESSION_NAME;
	if (asprintf(&what, "assuming role %s for profile \"%s\"", role.role_arn, name) < 0)
		abort();
	r = assume_role_with(s, &with, &role, what, out, diags);
	if (r == STEP_FOUND)
		out->source = "profile_assume_role";
	free(what);
	aws_credentials_clear(&with);
	return r;
}

/* One profile, in the Go SDK's order: a role, static keys, a process.
 * ABSENT when the profile holds none of them. */
static step_result resolve_profile(const credentials_source *s, const shared_files *f, const char *name,
				   profile_chain *chain, aws_credentials *out, diag_list *diags)
{
	const char *command = profile_get(f, name, "credential_process");
	step_result r = STEP_ABSENT;
	chain->names[chain->count++] = name;
	if (profile_get(f, name, "role_arn"))
		r = from_role_profile(s, f, name, chain, out, diags);
	else if (profile_static_keys(f, name, out))
		r = STEP_FOUND;
	else if (command)
		r = from_credential_process(name, command, out, diags);
	chain->count--;
	return r;
}

static step_result from_shared_files(const credentials_source *s, aws_credentials *out, tried_list *tried,
				     diag_list *diags)
{
	const char *chosen = s->profile ? s->profile : env("AWS_PROFILE");
	const char *name = chosen ? chosen : "default";
	shared_files f = {0};
	profile_chain chain = {0};
	step_result r = STEP_FAILED;

	if (shared_files_load(&f, diags) != 0) {
		shared_files_free(&f);
		return STEP_FAILED;
	}
	if (profile_exists(&f, name)) {
		r = resolve_profile(s, &f, name, &chain, out, diags);
		if (r == STEP_ABSENT)
			tried_add(tried, "profile \"%s\" (no credentials in it)", name);
	} else if (chosen) {
		/* A profile asked for by name must exist: using another identity
		 * instead would be a surprise. */
		diag_add(diags, DIAG_ERROR, NULL, "AWS profile not found", "Profile \"%s\" is in neither %s nor %s.",
			 name, path_or_none(f.credentials_path), path_or_none(f.config_path));
	} else {
		tried_add(tried, "profile \"default\" (found in neither %s nor %s)", path_or_none(f.credentials_path),
			  path_or_none(f.config_path));
		r = STEP_ABSENT;
	}
	shared_files_free(&f);
	return r;
}

/* ---- HTTP credential endpoints (container, IMDS) ---- */

static void response_free_wiped(http_response *resp)
{
	if (resp->body)
		explicit_bzero(resp->body, resp->body_len);
	http_response_free(resp);
}

/* One exchange expecting 200. Returns 0, or -1 with *why (malloc'd). */
static int fetch(const char *method, const char *url, const sigv4_header *headers, size_t count, double timeout,
		 http_tls tls, http_response *resp, char **why)
{
	http_request req = {.method = method, .url = url, .headers = headers, .header_count = count,
			    .timeout_seconds = timeout, .tls = tls};
	int printed = 0;
	if (http_send(&req, resp) != 0)
		printed = asprintf(why, "%s %s: %s", method, url, resp->failure ? resp->failure : "no answer");
	else if (resp->status != 200)
		printed = asprintf(why, "%s %s: HTTP %ld", method, url, resp->status);
	else
		return 0;
	if (printed < 0)
		abort();
	return -1;
}

/* Container and IMDS answers; IMDS adds a Code that must be Success.
 * Returns NULL, or what is wrong (never a value). */
static const char *endpoint_answer(const cJSON *doc, const char *source, aws_credentials *out)
{
	const char *code = json_string(doc, "Code");
	if (!doc)
		return "the answer is not JSON";
	if (code && strcmp(code, "Success") != 0)
		return "the answer's Code is not Success";
	return credentials_from_json(doc, "Token", source, out);
}

/* GETs url and reads a JSON credential answer. Returns 0, or -1 with *why. */
static int fetch_json_credentials(const char *url, const sigv4_header *headers, size_t count, double timeout,
				  http_tls tls, const char *source, aws_credentials *out, char **why)
{
	http_response resp = {0};
	int rc = -1;
	if (fetch("GET", url, headers, count, timeout, tls, &resp, why) == 0) {
		cJSON *doc = cJSON_Parse(resp.body);
		const char *problem = endpoint_answer(doc, source, out);
		if (problem && asprintf(why, "GET %s: %s", url, problem) < 0)
			abort();
		rc = problem ? -1 : 0;
		json_delete_wiped(doc);
	}
	response_free_wiped(&resp);
	return rc;
}

/* ---- 5. ECS container ---- */

static bool host_is(const char *host, size_t len, const char *want)
{
	return strlen(want) == len && strncasecmp(host, want, len) == 0;
}

/* Over plain HTTP the authorization token may only go to this machine or
 * to the ECS and EKS agents' link-local addresses, as the SDKs insist. */
static bool container_url_allowed(const char *url)
{
	static const char *const agents[] = {"localhost", "[::1]", "169.254.170.2", "169.254.170.23",
					     "[fd00:ec2::23]", NULL};
	if (strncasecmp(url, "https://", 8) == 0)
		return true;
	if (strncasecmp(url, "http://", 7) != 0)
		return false;
	const char *host = url + 7;
	size_t len = *host == '[' ? strcspn(host, "]") + 1 : strcspn(host, ":/");
	if (len > 4 && strncmp(host, "127.", 4) == 0 && strspn(host + 4, "0123456789.") == len - 4)
		return true;
	for (const char *const *a = agents; *a; a++)
		if (host_is(host, len, *a))
			return true;
	return false;
}

static char *container_url(void)
{
	const char *relative = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	char *url = NULL;
	if (relative && asprintf(&url, "%s%s", CONTAINER_HOST, relative) < 0)
		abort();
	return relative ? url : full ? strdup(full) : NULL;
}

/* The Authorization value: the token file (rotated by the agent, so read
 * each time) wins over the variable, as in the SDKs. NULL with *failed
 * set when the file cannot be read; NULL alone when none is configured. */
static char *container_authorization(bool *failed, diag_list *diags)
{
	const char *file = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *token = env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	char *value = file ? read_trimmed_file(file) : copy_or_null(token);
	*failed = file && !value;
	if (*failed)
		diag_add(diags, DIAG_ERROR, NULL, "Cannot read the container authorization token",
			 "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s: %s", file, strerror(errno));
	return value;
}

static step_result from_container(const credentials_source *s, aws_credentials *out, tried_list *tried,
				  diag_list *diags)
{
	char *url = container_url(), *why = NULL;
	bool failed = false;
	if (!url) {
		tried_add(tried, "ECS container (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI not set)");
		return STEP_ABSENT;
	}
	if (!container_url_allowed(url)) {
		diag_add(diags, DIAG_ERROR, NULL, "Refusing the container credentials endpoint",
			 "AWS_CONTAINER_CREDENTIALS_FULL_URI %s: over http only a loopback address or the ECS/EKS "
			 "agent may be called.", url);
		free(url);
		return STEP_FAILED;
	}
	char *authorization = container_authorization(&failed, diags);
	sigv4_header header = {"Authorization", authorization};
	int rc = failed ? -1
			: fetch_json_credentials(url, &header, authorization ? 1 : 0, CONTAINER_TIMEOUT_SECONDS,
						 tls_of(s), "container", out, &why);
	if (why)
		diag_add(diags, DIAG_ERROR, NULL, "Cannot get container credentials", "%s", why);
	secret_free(authorization);
	free(why);
	free(url);
	return rc == 0 ? STEP_FOUND : STEP_FAILED;
}

/* ---- 6. EC2 instance metadata (IMDSv2) ---- */

static bool metadata_disabled(void)
{
	const char *v = env("AWS_EC2_METADATA_DISABLED");
	return v && strcasecmp(v, "true") == 0;
}

static char *metadata_endpoint(void)
{
	const char *set = env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	char *base = strdup(set ? set : IMDS_DEFAULT_ENDPOINT);
	size_t len = strlen(base);
	while (len > 0 && base[len - 1] == '/')
		base[--len] = '\0';
	return base;
}

/* GET base+path with the session token. Returns the body (malloc'd), or
 * NULL with *why. */
static char *metadata_get(const char *base, const char *path, const char *token, char **why)
{
	sigv4_header header = {"X-aws-ec2-metadata-token", token};
	http_response resp = {0};
	char *url = NULL, *body = NULL;
	if (asprintf(&url, "%s%s", base, path) < 0)
		abort();
	if (fetch("GET", url, &header, 1, IMDS_TIMEOUT_SECONDS, IMDS_TLS, &resp, why) == 0)
		body = strdup(resp.body);
	response_free_wiped(&resp);
	free(url);
	return body;
}

/* IMDSv2 session: PUT for a token the later GETs carry. */
static char *metadata_token(const char *base, char **why)
{
	sigv4_header header = {"X-aws-ec2-metadata-token-ttl-seconds", IMDS_TOKEN_TTL};
	http_response resp = {0};
	char *url = NULL, *token = NULL;
	if (asprintf(&url, "%s/latest/api/token", base) < 0)
		abort();
	if (fetch("PUT", url, &header, 1, IMDS_TIMEOUT_SECONDS, IMDS_TLS, &resp, why) == 0)
		token = strdup(resp.body);
	response_free_wiped(&resp);
	free(url);
	return token;
}

/* The instance profile's role: the first line of the listing. */
static char *metadata_role(const char *base, const char *token, char **why)
{
	char *listing = metadata_get(base, "/latest/meta-data/iam/security-credentials/", token, why);
	if (listing)
		listing[strcspn(listing, "\r\n")] = '\0';
	if (listing && !*listing) {
		free(listing);
		listing = NULL;
		*why = strdup("no IAM role is attached");
	}
	return listing;
}

static step_result metadata_credentials(const char *base, const char *token, const char *role,
					aws_credentials *out, diag_list *diags)
{
	sigv4_header header = {"X-aws-ec2-metadata-token", token};
	char *url = NULL, *why = NULL;
	if (asprintf(&url, "%s/latest/meta-data/iam/security-credentials/%s", base, role) < 0)
		abort();
	int rc = fetch_json_credentials(url, &header, 1, IMDS_TIMEOUT_SECONDS, IMDS_TLS, "instance_metadata", out, &why);
	if (rc != 0)
		diag_add(diags, DIAG_ERROR, NULL, "Cannot get EC2 instance credentials", "Role %s: %s", role, why);
	free(why);
	free(url);
	return rc == 0 ? STEP_FOUND : STEP_FAILED;
}

/* No answer, or no role, means "not on EC2 with a role": the chain's end,
 * not an error of its own. A role whose credentials cannot be read is. */
static step_result from_instance_metadata(const credentials_source *s, aws_credentials *out, tried_list *tried,
					  diag_list *diags)
{
	(void)s;
	if (metadata_disabled()) {
		tried_add(tried, "EC2 instance metadata (disabled by AWS_EC2_METADATA_DISABLED)");
		return STEP_ABSENT;
	}
	char *base = metadata_endpoint(), *why = NULL, *role = NULL;
	char *token = metadata_token(base, &why);
	if (token)
		role = metadata_role(base, token, &why);
	step_result r = role ? metadata_credentials(base, token, role, out, diags) : STEP_ABSENT;
	if (!role)
		tried_add(tried, "EC2 instance metadata (%s)", why);
	free(role);
	secret_free(token);
	free(why);
	free(base);
	return r;
}

/* ---- the chain ---- */

static const chain_step chain_steps[] = {
	{"explicit", from_explicit},
	{"environment", from_environment},
	{"web identity", from_web_identity},
	{"shared files", from_shared_files},
	{"container", from_container},
	{"instance metadata", from_instance_metadata},
};
#define CHAIN_LENGTH (sizeof chain_steps / sizeof *chain_steps)

/* The first step with credentials becomes the source's step. */
static int resolve_chain(credentials_source *s, diag_list *diags)
{
	tried_list tried = {0};
	for (size_t i = 0; i < CHAIN_LENGTH; i++) {
		step_result r = chain_steps[i].resolve(s, &s->base, &tried, diags);
		if (r == STEP_ABSENT)
			continue;
		free(tried.text);
		if (r == STEP_FAILED)
			return -1;
		s->step = &chain_steps[i];
		log_write(LOG_DEBUG, "AWS credentials found", "step", chain_steps[i].name, "source", s->base.source,
			  NULL);
		return 0;
	}
	diag_add(diags, DIAG_ERROR, NULL, "No AWS credentials found", "Tried, in order: %s.", tried.text);
	free(tried.text);
	return -1;
}

/* Re-runs the step that found the base credentials. */
static int refresh_base(credentials_source *s, diag_list *diags)
{
	tried_list tried = {0};
	aws_credentials fresh = {0};
	log_write(LOG_DEBUG, "refreshing AWS credentials", "step", s->step->name, NULL);
	step_result r = s->step->resolve(s, &fresh, &tried, diags);
	if (r == STEP_ABSENT)
		diag_add(diags, DIAG_ERROR, NULL, "AWS credentials gone",
			 "Refreshing the credentials from %s found none: %s.", s->step->name, tried.text);
	free(tried.text);
	if (r != STEP_FOUND)
		return -1;
	aws_credentials_clear(&s->base);
	s->base = fresh;
	return 0;
}

/* current from base: the configured role assumed with it, or base itself. */
static int derive_current(credentials_source *s, diag_list *diags)
{
	aws_credentials fresh = {0};
	char *what = NULL;
	if (!s->role_arn) {
		credentials_copy(&fresh, &s->base);
	} else {
		aws_assume_role role = {.role_arn = s->role_arn, .session_name = s->session_name,
					.external_id = s->external_id, .duration_seconds = s->duration_seconds};
		if (asprintf(&what, "assuming role %s (assume_role) with %s credentials", s->role_arn,
			     s->base.source) < 0)
			abort();
		step_result r = assume_role_with(s, &s->base, &role, what, &fresh, diags);
		free(what);
		if (r != STEP_FOUND)
			return -1;
		fresh.source = "assume_role";
	}
	aws_credentials_clear(&s->current);
	s->current = fresh;
	return 0;
}

static int refresh(credentials_source *s, diag_list *diags)
{
	if (refresh_due(&s->base) && refresh_base(s, diags) != 0)
		return -1;
	return derive_current(s, diags);
}

/* Copies each diagnostic of from into to. */
static void diags_append(diag_list *to, const diag_list *from)
{
	for (size_t i = 0; i < from->count; i++)
		diag_add(to, from->items[i].severity, NULL, from->items[i].summary, "%s",
			 from->items[i].detail ? from->items[i].detail : "");
}

/* ---- the interface ---- */

static void copy_config(credentials_source *s, const credentials_config *config)
{
	const aws_assume_role *role = config->assume_role;
	s->access_key = copy_or_null(config->access_key);
	s->secret_key = copy_or_null(config->secret_key);
	s->token = copy_or_null(config->token);
	s->profile = copy_or_null(config->profile);
	s->region = strdup(config->region && *config->region ? config->region : "us-east-1");
	s->sts_endpoint = copy_or_null(config->sts_endpoint);
	s->ca_bundle = copy_or_null(config->tls.ca_bundle);
	s->insecure = config->tls.insecure;
	if (role && role->role_arn && *role->role_arn) {
		s->role_arn = strdup(role->role_arn);
		s->session_name = strdup(role->session_name && *role->session_name ? role->session_name
										   : DEFAULT_SESSION_NAME);
		s->external_id = copy_or_null(role->external_id);
		s->duration_seconds = role->duration_seconds;
	}
}

credentials_source *credentials_source_new(const credentials_config *config, diag_list *diags)
{
	credentials_source *s = calloc(1, sizeof *s);
	if (!s)
		abort();
	pthread_mutex_init(&s->lock, NULL);
	copy_config(s, config);
	if (resolve_chain(s, diags) != 0 || derive_current(s, diags) != 0) {
		credentials_source_free(s);
		return NULL;
	}
	return s;
}

void credentials_source_free(credentials_source *s)
{
	if (!s)
		return;
	pthread_mutex_destroy(&s->lock);
	secret_free(s->access_key);
	secret_free(s->secret_key);
	secret_free(s->token);
	free(s->profile);
	free(s->region);
	free(s->sts_endpoint);
	free(s->ca_bundle);
	free(s->role_arn);
	free(s->session_name);
	free(s->external_id);
	aws_credentials_clear(&s->base);
	aws_credentials_clear(&s->current);
	free(s);
}

/* A failed refresh is only an error once the credentials have expired:
 * until then the ones held still sign, and a passing STS or network hiccup
 * should not fail a Terraform run. */
int credentials_get(credentials_source *s, aws_credentials *out, diag_list *diags)
{
	int rc = 0;
	memset(out, 0, sizeof *out);
	pthread_mutex_lock(&s->lock);
	if (refresh_due(&s->current)) {
		diag_list why = {0};
		if (refresh(s, &why) != 0) {
			if (expired(&s->current)) {
				diags_append(diags, &why);
				rc = -1;
			} else {
				log_write(LOG_WARN, "refreshing AWS credentials failed; using them until they expire",
					  "source", s->current.source, NULL);
			}
		}
		diag_list_clear(&why);
	}
	if (rc == 0)
		credentials_copy(out, &s->current);
	pthread_mutex_unlock(&s->lock);
	return rc;
}
