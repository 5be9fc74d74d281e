/* json_protocol.c: AWS JSON 1.1 (ECS, ECR, SSM, Logs, Secrets Manager).
 * POST / with X-Amz-Target "<prefix>.<Action>"; errors are a JSON object
 * whose __type names the error, sometimes prefixed with a namespace and
 * '#', as "com.amazonaws.ecs#ClusterNotFoundException". */
#include "client_internal.h"
#include "wipe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "ns#Code:http://..." → "Code": drop a namespace before '#' and anything
 * after ':' (some services append a URL). Returns malloc'd text. */
static char *bare_error_code(const char *type)
{
	const char *hash = strchr(type, '#');
	const char *start = hash ? hash + 1 : type;
	return strndup(start, strcspn(start, ":"));
}

static const char *json_message(const cJSON *doc)
{
	static const char *const keys[] = {"message", "Message", "errorMessage", NULL};
	for (const char *const *k = keys; *k; k++) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(doc, *k);
		if (cJSON_IsString(m))
			return m->valuestring;
	}
	return NULL;
}

/* Shared with rest_json.c: both protocols report errors the same way. */
void aws_json_parse_error(const http_response *resp, aws_error *err)
{
	cJSON *doc = resp->body ? cJSON_ParseWithLength(resp->body, resp->body_len) : NULL;
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(doc, "__type");
	const char *raw = resp->error_type ? resp->error_type : cJSON_IsString(type) ? type->valuestring : NULL;
	const char *message = json_message(doc);

	free(err->code);
	free(err->message);
	err->code = raw ? bare_error_code(raw) : NULL;
	if (message)
		err->message = strdup(message);
	else
		err->message = doc ? NULL : strdup(AWS_NO_ERROR_DOCUMENT);
	cJSON_Delete(doc);
}

const char *aws_json_answer_problem(const http_response *resp)
{
	if (resp->body_len == 0)
		return NULL;
	cJSON *doc = cJSON_ParseWithLength(resp->body, resp->body_len);
	cJSON_Delete(doc);
	return doc ? NULL : "the answer is not valid JSON";
}

/* Parses a 2xx body; an empty body is an empty object. */
cJSON *aws_json_parse_answer(const aws_service *svc, const char *operation, const http_response *resp,
			     aws_error *err)
{
	if (resp->body_len == 0)
		return cJSON_CreateObject();
	cJSON *doc = cJSON_ParseWithLength(resp->body, resp->body_len);
	if (!doc)
		aws_error_set(err, svc, operation, (int)resp->status, "MalformedResponse",
			      "the answer is not valid JSON", resp->request_id);
	return doc;
}

cJSON *aws_json_call(aws_client *client, const aws_service *svc, const char *action, const cJSON *request,
		     double deadline, aws_error *err)
{
	char target[128];
	http_response resp;
	char *body = request ? cJSON_PrintUnformatted(request) : strdup("{}");
	snprintf(target, sizeof target, "%s.%s", svc->json_target, action);
	aws_request req = {.operation = action, .method = "POST", .path = "/",
			   .content_type = "application/x-amz-json-1.1", .target = target, .body = body,
			   .body_len = strlen(body), .answer_problem = aws_json_answer_problem};
	cJSON *answer = NULL;
	if (aws_client_send(client, svc, &req, aws_json_parse_error, deadline, &resp, err) == 0)
		answer = aws_json_parse_answer(svc, action, &resp, err);
	http_response_free(&resp);
	wipe_free(body);
	return answer;
}
