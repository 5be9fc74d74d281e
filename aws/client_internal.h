/* client_internal.h: what the protocol files (json_protocol.c,
 * query_protocol.c, rest_json.c, sts.c) share with client.c. Not for
 * resource code. */
#ifndef WAGTAIL_CLIENT_INTERNAL_H
#define WAGTAIL_CLIENT_INTERNAL_H

#include "client.h"
#include "http.h"

/* One request to a service, before signing. */
typedef struct {
	const char *operation;    /* "CreateCluster", for errors and logs */
	const char *method;
	const char *path;         /* "/" or a REST path, already encoded */
	const char *content_type; /* NULL: none */
	const char *target;       /* X-Amz-Target, or NULL */
	const char *body;
	size_t body_len;
	/* NULL when a 2xx answer can be read, else what is wrong with it
	 * ("the answer is not valid JSON"): such an answer is retried, as a
	 * MalformedResponse. NULL: any 2xx answer will do. */
	const char *(*answer_problem)(const http_response *resp);
} aws_request;

/* Reads an error answer into err (code, message; request id when the body
 * has it). Each protocol has its own document shape. */
typedef void (*aws_error_parser)(const http_response *resp, aws_error *err);

/* Signs and sends with retries (see client.h). On success returns 0 and
 * *resp holds a 2xx answer the caller frees; otherwise -1 with err filled. */
int aws_client_send(aws_client *client, const aws_service *svc, const aws_request *req, aws_error_parser parse,
		    double deadline, http_response *resp, aws_error *err);

/* A client that signs with fixed credentials (or, with NULL, not at all),
 * calling `endpoint` (NULL: the service default for region). For STS calls
 * made while the credential chain itself is being resolved. */
aws_client *aws_client_new_fixed(const char *region, const char *endpoint, const aws_service *svc,
				 const sigv4_credentials *fixed, http_tls tls);

/* Sets err's operation, code and message (copies). */
void aws_error_set(aws_error *err, const aws_service *svc, const char *operation, int status, const char *code,
		   const char *message, const char *request_id);

/* The message of an error answer that is not the service's error document:
 * an HTML page from a proxy, or a service (moto) that does not implement
 * the call. The body itself is not quoted: it may echo the request. */
#define AWS_NO_ERROR_DOCUMENT "the answer is not an AWS error document (a proxy's page, or an action the endpoint does not implement)"

/* JSON error documents and answers, shared by json_protocol.c and
 * rest_json.c. The answer parser returns NULL with err filled when a 2xx
 * body is not JSON; an empty body is an empty object. */
void aws_json_parse_error(const http_response *resp, aws_error *err);
/* aws_request.answer_problem for JSON answers: NULL when empty or JSON. */
const char *aws_json_answer_problem(const http_response *resp);
cJSON *aws_json_parse_answer(const aws_service *svc, const char *operation, const http_response *resp,
			     aws_error *err);

/* Query error documents (ErrorResponse, or EC2's Response/Errors). */
void aws_query_parse_error(const http_response *resp, aws_error *err);

#endif
