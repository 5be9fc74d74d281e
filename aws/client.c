/* client.c: endpoints, signing and the retry loop shared by every protocol. */
#include "client_internal.h"

#include "log.h"
#include "partition.h"

#include <ctype.h>
#include <math.h>
#include <openssl/rand.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const aws_service aws_ecs = {"ecs", "ecs", "ecs", false, "AmazonEC2ContainerServiceV20141113", NULL};
const aws_service aws_ecr = {"ecr", "ecr", "api.ecr", false, "AmazonEC2ContainerRegistry_V20150921", NULL};
const aws_service aws_ssm = {"ssm", "ssm", "ssm", false, "AmazonSSM", NULL};
const aws_service aws_logs = {"logs", "logs", "logs", false, "Logs_20140328", NULL};
const aws_service aws_secretsmanager = {"secretsmanager", "secretsmanager", "secretsmanager", false, "secretsmanager",
					NULL};
const aws_service aws_lambda = {"lambda", "lambda", "lambda", false, NULL, NULL};
const aws_service aws_rds = {"rds", "rds", "rds", false, NULL, "2014-10-31"};
const aws_service aws_iam = {"iam", "iam", "iam", true, NULL, "2010-05-08"};
const aws_service aws_sts = {"sts", "sts", "sts", false, NULL, "2011-06-15"};
const aws_service aws_ec2 = {"ec2", "ec2", "ec2", false, NULL, "2016-11-15"};

static const aws_service *const services[] = {&aws_ecs, &aws_ecr, &aws_ssm, &aws_logs, &aws_secretsmanager,
					      &aws_lambda, &aws_rds, &aws_iam, &aws_sts, &aws_ec2};
#define SERVICE_COUNT (sizeof services / sizeof *services)

#define BACKOFF_BASE_SECONDS 0.1
#define BACKOFF_CAP_SECONDS 20.0

struct aws_client {
	char *region;                 /* owned */
	char *endpoints[SERVICE_COUNT]; /* owned, resolved once */
	int max_retries;
	char *ca_bundle;              /* owned, or NULL */
	bool insecure;                /* see http_tls */
	credentials_source *credentials; /* borrowed */
	sigv4_credentials fixed;      /* aws_client_new_fixed: strings borrowed */
	bool use_fixed, anonymous;
};

static size_t service_index(const aws_service *svc)
{
	for (size_t i = 0; i < SERVICE_COUNT; i++)
		if (services[i] == svc)
			return i;
	abort(); /* a service descriptor not in the table is a programming error */
}

static const char *configured_endpoint(const char *const *pairs, const char *name)
{
	for (size_t i = 0; pairs && pairs[i]; i += 2)
		if (strcmp(pairs[i], name) == 0)
			return pairs[i + 1];
	return NULL;
}

/* endpoints block, AWS_ENDPOINT_URL_<NAME>, AWS_ENDPOINT_URL, the default. */
static char *resolve_endpoint(const aws_service *svc, const char *region, const char *const *pairs)
{
	char variable[64], *url = NULL;
	const char *found = configured_endpoint(pairs, svc->name);
	snprintf(variable, sizeof variable, "AWS_ENDPOINT_URL_%s", svc->name);
	for (char *p = variable; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	if (!found || !*found)
		found = getenv(variable);
	if (!found || !*found)
		found = getenv("AWS_ENDPOINT_URL");
	if (found && *found)
		return strdup(found);
	const aws_partition *partition = aws_partition_of(region);
	if (svc->global ? asprintf(&url, "https://%s", partition->iam_host) < 0
			: asprintf(&url, "https://%s.%s.%s", svc->host_prefix, region, partition->dns_suffix) < 0)
		abort();
	return url;
}

aws_client *aws_client_new(const aws_client_config *config)
{
	aws_client *c = calloc(1, sizeof *c);
	if (!c)
		abort();
	c->region = strdup(config->region);
	for (size_t i = 0; i < SERVICE_COUNT; i++)
		c->endpoints[i] = resolve_endpoint(services[i], config->region, config->endpoints);
	c->max_retries = config->max_retries;
	c->ca_bundle = config->tls.ca_bundle ? strdup(config->tls.ca_bundle) : NULL;
	c->insecure = config->tls.insecure;
	c->credentials = config->credentials;
	return c;
}

aws_client *aws_client_new_fixed(const char *region, const char *endpoint, const aws_service *svc,
				 const sigv4_credentials *fixed, http_tls tls)
{
	const char *pairs[] = {svc->name, endpoint, NULL};
	aws_client_config config = {.region = region, .endpoints = endpoint ? pairs : NULL, .max_retries = 3,
				    .tls = tls};
	aws_client *c = aws_client_new(&config);
	c->use_fixed = fixed != NULL;
	c->anonymous = fixed == NULL;
	if (fixed)
		c->fixed = *fixed;
	return c;
}

void aws_client_free(aws_client *client)
{
	if (!client)
		return;
	for (size_t i = 0; i < SERVICE_COUNT; i++)
		free(client->endpoints[i]);
	free(client->region);
	free(client->ca_bundle);
	free(client);
}

const char *aws_client_endpoint(aws_client *client, const aws_service *svc)
{
	return client->endpoints[service_index(svc)];
}

/* IAM has one endpoint per partition and accepts signatures for that
 * endpoint's region only; an endpoint override (a proxy in front of IAM)
 * changes where the call goes, not what it is signed for. */
const char *aws_client_signing_region(const aws_client *client, const aws_service *svc)
{
	return svc->global ? aws_partition_of(client->region)->iam_region : client->region;
}

/* ---- errors ---- */

void aws_error_set(aws_error *err, const aws_service *svc, const char *operation, int status, const char *code,
		   const char *message, const char *request_id)
{
	snprintf(err->operation, sizeof err->operation, "%s:%s", svc->name, operation);
	err->http_status = status;
	free(err->code);
	free(err->message);
	free(err->request_id);
	err->code = code ? strdup(code) : NULL;
	err->message = message ? strdup(message) : NULL;
	err->request_id = request_id ? strdup(request_id) : NULL;
}

/* ---- sending ---- */

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool throttled(const aws_error *err)
{
	static const char *const codes[] = {"Throttling", "ThrottlingException", "ThrottledException",
					    "RequestLimitExceeded", "TooManyRequestsException",
					    "ProvisionedThroughputExceededException", "RequestThrottled",
					    "SlowDown", NULL};
	for (const char *const *c = codes; *c; c++)
		if (aws_error_is(err, *c))
			return true;
	return err->http_status == 429;
}

/* Failures a retry seldom cures get three attempts in all, as in the
 * SDKs' standard retry mode, however high max_retries is: an endpoint
 * that stalls would otherwise hold a resource without a timeouts block for
 * max_retries minutes (25 by default), and a 5xx page without an AWS error
 * document (a proxy's, or moto's for what it does not implement) seldom
 * changes. */
#define SLOW_FAILURE_ATTEMPTS 3

typedef struct {
	int stalled;          /* attempts that timed out */
	int undocumented_5xx; /* 5xx answers without an AWS error code */
} failure_tally;

/* Retry throttling, server errors, lost connections and unreadable 2xx
 * answers (transient); the slow kinds above only so often. */
static bool retryable(const aws_error *err, const http_response *resp, bool transient, failure_tally *tally)
{
	if (resp->timed_out)
		return ++tally->stalled < SLOW_FAILURE_ATTEMPTS;
	if (transient || throttled(err))
		return true;
	if (err->http_status >= 500 && !err->code)
		return ++tally->undocumented_5xx < SLOW_FAILURE_ATTEMPTS;
	return err->http_status >= 500;
}

/* A fraction in [0, 1] for the jitter, from OpenSSL's generator: rand()
 * unseeded gives every provider process the same sequence, so processes
 * throttled together would retry together, which jitter is there to
 * prevent (and rand() is not thread-safe either). */
static double jitter_fraction(void)
{
	uint32_t r;
	if (RAND_bytes((unsigned char *)&r, sizeof r) != 1)
		return 0.5;
	return (double)r / UINT32_MAX;
}

/* Full jitter: a random wait up to base * 2^attempt, capped. */
static double backoff(int attempt)
{
	double ceiling = fmin(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * pow(2, attempt));
	return ceiling * jitter_fraction();
}

typedef struct {
	char *url;       /* owned */
	char *host;      /* owned: host[:port] as in the URL */
	char *path;      /* owned: the endpoint's path joined with the request's */
} target;

static int target_init(target *t, const char *endpoint, const char *path)
{
	const char *host = strstr(endpoint, "://");
	if (!host)
		return -1;
	host += 3;
	size_t host_len = strcspn(host, "/");
	const char *base = host + host_len; /* "" or "/prefix" */
	size_t base_len = strlen(base);
	while (base_len && base[base_len - 1] == '/')
		base_len--;
	t->host = strndup(host, host_len);
	if (asprintf(&t->path, "%.*s%s", (int)base_len, base, path) < 0 ||
	    asprintf(&t->url, "%.*s%s", (int)(base - endpoint), endpoint, t->path) < 0)
		abort();
	return 0;
}

static void target_free(target *t)
{
	free(t->url);
	free(t->host);
	free(t->path);
}

/* The credentials to sign with: fixed, none, or the chain's current. */
static int signing_credentials(aws_client *c, aws_credentials *owned, sigv4_credentials *out, char **why)
{
	diag_list diags = {0};
	if (c->use_fixed || c->anonymous) {
		*out = c->fixed;
		return 0;
	}
	if (!c->credentials || credentials_get(c->credentials, owned, &diags) != 0) {
		*why = strdup(diags.count ? diags.items[0].detail ? diags.items[0].detail : diags.items[0].summary
					  : "no credential source yielded credentials");
		diag_list_clear(&diags);
		return -1;
	}
	*out = (sigv4_credentials){owned->access_key_id, owned->secret_access_key, owned->session_token};
	return 0;
}

/* Logs libcurl's own resends of this attempt as the retries they are. */
static void log_resends(const aws_error *err, const aws_request *req, const aws_service *svc, int attempt,
			unsigned resent)
{
	for (unsigned i = 0; i < resent; i++) {
		char number[16], operation[sizeof err->operation];
		snprintf(number, sizeof number, "%d", attempt + 1);
		snprintf(operation, sizeof operation, "%s:%s", svc->name, req->operation);
		log_write(LOG_WARN, "retrying AWS call", "operation", operation, "attempt", number, "code",
			  "ConnectionDied", "by", "libcurl, on a fresh connection", NULL);
	}
}

/* One signed attempt. Returns 0 with a readable 2xx answer in *resp, else
 * -1 with err filled and *transient telling whether no (readable) answer
 * came. Notes in err->maybe_applied when the attempt may have taken effect. */
static int attempt_once(aws_client *c, const aws_service *svc, const aws_request *req, const target *t,
			aws_error_parser parse, double deadline, int attempt, http_response *resp, aws_error *err,
			bool *transient)
{
	aws_credentials owned = {0};
	sigv4_credentials creds;
	sigv4_result sig = {0};
	char *why = NULL;
	sigv4_header headers[6];
	size_t n = 0;
	int result = -1;

	*transient = false;
	if (signing_credentials(c, &owned, &creds, &why) != 0) {
		aws_error_set(err, svc, req->operation, 0, "NoCredentialProviders", why, NULL);
		free(why);
		return -1;
	}
	headers[n++] = (sigv4_header){"Host", t->host};
	if (req->content_type)
		headers[n++] = (sigv4_header){"Content-Type", req->content_type};
	if (req->target)
		headers[n++] = (sigv4_header){"X-Amz-Target", req->target};
	if (!c->anonymous) {
		sigv4_request sr = {.method = req->method, .path = t->path, .query = NULL, .headers = headers,
				    .header_count = n, .body = req->body, .body_len = req->body_len,
				    .region = aws_client_signing_region(c, svc), .service = svc->signing_name,
				    .time = time(NULL)};
		if (sigv4_sign(&sr, &creds, &sig, &why) != 0) {
			aws_error_set(err, svc, req->operation, 0, "SigningFailed", why, NULL);
			free(why);
			aws_credentials_clear(&owned);
			return -1;
		}
		headers[n++] = (sigv4_header){"X-Amz-Date", sig.amz_date};
		headers[n++] = (sigv4_header){"Authorization", sig.authorization};
		if (creds.session_token)
			headers[n++] = (sigv4_header){"X-Amz-Security-Token", creds.session_token};
	}
	double left = deadline ? deadline - now_seconds() : 60;
	http_request hr = {.method = req->method, .url = t->url, .headers = headers, .header_count = n,
			   .body = req->body, .body_len = req->body_len,
			   .timeout_seconds = left < 60 ? (left > 1 ? left : 1) : 60,
			   .tls = {c->ca_bundle, c->insecure}};
	int failed = http_send(&hr, resp);
	const char *problem = NULL;
	log_resends(err, req, svc, attempt, resp->resent);
	if (failed) {
		*transient = resp->transient;
		err->maybe_applied |= resp->maybe_sent;
		aws_error_set(err, svc, req->operation, 0, "RequestFailed", resp->failure, NULL);
	} else if (resp->status >= 200 && resp->status < 300 && req->answer_problem &&
		   (problem = req->answer_problem(resp))) {
		*transient = err->maybe_applied = true;
		aws_error_set(err, svc, req->operation, (int)resp->status, "MalformedResponse", problem,
			      resp->request_id);
	} else if (resp->status >= 200 && resp->status < 300) {
		result = 0;
	} else {
		err->maybe_applied |= resp->status >= 500 || resp->resent > 0;
		aws_error_set(err, svc, req->operation, (int)resp->status, NULL, NULL, resp->request_id);
		parse(resp, err);
	}
	sigv4_result_free(&sig);
	aws_credentials_clear(&owned);
	return result;
}

int aws_client_send(aws_client *client, const aws_service *svc, const aws_request *req, aws_error_parser parse,
		    double deadline, http_response *resp, aws_error *err)
{
	target t = {0};
	failure_tally tally = {0};
	memset(resp, 0, sizeof *resp);
	err->maybe_applied = false;
	if (target_init(&t, aws_client_endpoint(client, svc), req->path) != 0) {
		aws_error_set(err, svc, req->operation, 0, "InvalidEndpoint", aws_client_endpoint(client, svc), NULL);
		return -1;
	}
	log_write(LOG_DEBUG, "AWS call", "operation", req->operation, "service", svc->name, "endpoint", t.host, NULL);
	for (int attempt = 0;; attempt++) {
		bool transient;
		if (attempt_once(client, svc, req, &t, parse, deadline, attempt, resp, err, &transient) == 0) {
			aws_error_clear(err); /* what earlier attempts left: callers clear err only on failure */
			break;
		}
		double wait = backoff(attempt);
		bool out_of_time = deadline && now_seconds() + wait > deadline;
		if (attempt >= client->max_retries || !retryable(err, resp, transient, &tally) || out_of_time) {
			target_free(&t);
			return -1;
		}
		char number[16];
		snprintf(number, sizeof number, "%d", attempt + 1);
		log_write(LOG_WARN, "retrying AWS call", "operation", err->operation, "attempt", number, "code",
			  err->code ? err->code : "", NULL);
		http_response_free(resp);
		usleep((useconds_t)(wait * 1e6));
	}
	target_free(&t);
	return 0;
}
