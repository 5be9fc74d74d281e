/* errors.c: turning a failed AWS call into a diagnostic. */
#include "client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Summary names the call ("AWS ecs:CreateCluster failed") so a user can
 * find it in CloudTrail; detail carries what AWS said, or why no answer
 * came. */
void aws_error_report(const aws_error *err, diag_list *diags, const char *attribute)
{
	diag_path path = diag_path_attr(diag_root(), attribute ? attribute : "");
	const diag_path *where = attribute ? &path : NULL;
	const char *message = err->message && *err->message ? err->message : "no message";

	char summary[128];
	snprintf(summary, sizeof summary, "AWS %s failed", err->operation);
	if (err->http_status == 0)
		diag_add(diags, DIAG_ERROR, where, summary, "%s%s%s", err->code ? err->code : "",
			 err->code ? ": " : "", message);
	else
		diag_add(diags, DIAG_ERROR, where, summary, "%s: %s (HTTP %d, request id %s)",
			 err->code ? err->code : "UnknownError", message, err->http_status,
			 err->request_id ? err->request_id : "none");
}

bool aws_error_is(const aws_error *err, const char *code)
{
	return err->code && strcmp(err->code, code) == 0;
}

void aws_error_clear(aws_error *err)
{
	free(err->code);
	free(err->message);
	free(err->request_id);
	memset(err, 0, sizeof *err);
}
