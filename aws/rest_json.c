/* rest_json.c: REST-JSON (Lambda): the operation is the method and path;
 * errors are reported as in AWS JSON 1.1, the code in x-amzn-ErrorType. */
#include "client_internal.h"
#include "wipe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

cJSON *aws_rest_json_call(aws_client *client, const aws_service *svc, const char *method, const char *path,
			  const cJSON *body, double deadline, aws_error *err)
{
	http_response resp;
	char *text = body ? cJSON_PrintUnformatted(body) : NULL;
	char operation[160];
	snprintf(operation, sizeof operation, "%s %s", method, path);
	aws_request req = {.operation = operation, .method = method, .path = path,
			   .content_type = text ? "application/json" : NULL, .body = text,
			   .body_len = text ? strlen(text) : 0, .answer_problem = aws_json_answer_problem};
	cJSON *answer = NULL;
	if (aws_client_send(client, svc, &req, aws_json_parse_error, deadline, &resp, err) == 0)
		answer = aws_json_parse_answer(svc, operation, &resp, err);
	http_response_free(&resp);
	wipe_free(text);
	return answer;
}
