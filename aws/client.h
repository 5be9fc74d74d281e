/* client.h: calling AWS. One aws_client per configured provider: region,
 * endpoints, credentials, retry policy and a pool of reused connections.
 *
 * Two wire protocols cover our services:
 *   AWS JSON 1.1  (ECS, ECR, SSM, CloudWatch Logs, Secrets Manager):
 *                 POST /, X-Amz-Target: <prefix>.<Action>, JSON in and out
 *   AWS Query     (RDS, IAM, STS, EC2): POST / form-encoded Action=...&
 *                 Version=..., XML out
 * (Lambda is REST-JSON: aws_rest_json_call.)
 *
 * Every call signs with SigV4, retries throttling (Throttling,
 * ThrottlingException, RequestLimitExceeded, TooManyRequestsException,
 * HTTP 429), 5xx, dropped connections and 2xx answers that cannot be read
 * (cut short, not JSON or XML) with exponential backoff and full jitter up
 * to max_retries, and never past the deadline. Each retry is logged
 * ("retrying AWS call", warn), libcurl's own resend on a fresh connection
 * included. A failed call fills
 * an aws_error with the operation, the AWS error code, message and request
 * id. Thread-safe: RPCs call concurrently. */
#ifndef WAGTAIL_AWS_CLIENT_H
#define WAGTAIL_AWS_CLIENT_H

#include "credentials.h"
#include "diag.h"

#include <cjson/cJSON.h>
#include <libxml/tree.h>
#include <stdbool.h>

typedef struct {
	const char *name;         /* endpoints block key, AWS_ENDPOINT_URL_<NAME>: "ecs" */
	const char *signing_name; /* SigV4 service name: "ecs" */
	const char *host_prefix;  /* default host: <prefix>.<region>.<partition's DNS suffix> */
	bool global;              /* IAM: one endpoint per partition, signed for its region (partition.h) */
	const char *json_target;  /* JSON 1.1 X-Amz-Target prefix, else NULL */
	const char *query_version; /* Query API version, else NULL */
} aws_service;

extern const aws_service aws_ecs, aws_ecr, aws_ssm, aws_logs, aws_secretsmanager, aws_lambda;
extern const aws_service aws_rds, aws_iam, aws_sts, aws_ec2;

typedef struct {
	const char *region;
	/* Endpoint overrides by service name (NULL-terminated pairs), then
	 * AWS_ENDPOINT_URL_<NAME>, then AWS_ENDPOINT_URL, then the default. */
	const char *const *endpoints; /* {"ecs", "http://127.0.0.1:5000", ..., NULL} */
	int max_retries;              /* default 25 when 0 is not given explicitly: see client.c */
	http_tls tls;                 /* custom_ca_bundle / AWS_CA_BUNDLE, insecure */
	credentials_source *credentials; /* borrowed; outlives the client */
} aws_client_config;

typedef struct aws_client aws_client;

aws_client *aws_client_new(const aws_client_config *config);
void aws_client_free(aws_client *client);
/* The endpoint URL a service is called at (for diagnostics and tests). */
const char *aws_client_endpoint(aws_client *client, const aws_service *svc);
/* The region a service's calls are signed for: the client's, or for IAM
 * that of the partition's IAM endpoint (us-east-1, cn-north-1, ...). */
const char *aws_client_signing_region(const aws_client *client, const aws_service *svc);

typedef struct {
	char operation[96]; /* "ecs:CreateCluster" */
	int http_status;    /* 0 when no answer came (connection failure) */
	char *code;         /* AWS error code, e.g. "ClusterNotFoundException" */
	char *message;
	char *request_id;
	/* An attempt may have taken effect although the call failed: the request
	 * may have reached the service and its answer was lost, cut short or
	 * garbled, or was a 5xx. A create that failed so may have made the
	 * resource, and a retry of it may have met "already exists". */
	bool maybe_applied;
} aws_error;

/* AWS JSON 1.1. request may be NULL ({}); it is not modified. Returns the
 * parsed response (caller frees with cJSON_Delete), or NULL with *err filled.
 * deadline: CLOCK_MONOTONIC seconds, 0 = none. */
cJSON *aws_json_call(aws_client *client, const aws_service *svc, const char *action, const cJSON *request,
		     double deadline, aws_error *err);

typedef struct {
	const char *name;
	const char *value;
} aws_param;

/* AWS Query. params: count pairs (names like "Tags.member.1.Key"). Returns
 * the response document (caller frees with xmlFreeDoc) or NULL with *err. */
xmlDoc *aws_query_call(aws_client *client, const aws_service *svc, const char *action, const aws_param *params,
		       size_t count, double deadline, aws_error *err);

/* REST-JSON (Lambda): method, path (already encoded), optional JSON body. */
cJSON *aws_rest_json_call(aws_client *client, const aws_service *svc, const char *method, const char *path,
			  const cJSON *body, double deadline, aws_error *err);

/* The text of the first element reached by a '/'-separated path of local
 * element names below node, searching depth-first at each step:
 * aws_xml_text(root, "DBCluster/Endpoint"). malloc'd, or NULL. */
char *aws_xml_text(xmlNode *node, const char *path);
/* The first element with that local name at or below node, or NULL. */
xmlNode *aws_xml_find(xmlNode *node, const char *name);

/* Appends an error diagnostic: "<operation> failed" with the code, message
 * and request id; about `attribute` when not NULL. */
void aws_error_report(const aws_error *err, diag_list *diags, const char *attribute);
bool aws_error_is(const aws_error *err, const char *code);
void aws_error_clear(aws_error *err);

#endif
