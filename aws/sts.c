/* sts.c: see sts.h. */
#include "sts.h"

#include "client_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_SESSION_NAME "terraform-provider-wagtail"

int sts_get_caller_identity(aws_client *client, double deadline, char **account, char **arn, char **user_id,
			    aws_error *err)
{
	xmlDoc *doc = aws_query_call(client, &aws_sts, "GetCallerIdentity", NULL, 0, deadline, err);
	if (!doc)
		return -1;
	xmlNode *root = xmlDocGetRootElement(doc);
	char **outs[] = {account, arn, user_id};
	const char *names[] = {"Account", "Arn", "UserId"};
	for (size_t i = 0; i < 3; i++)
		if (outs[i])
			*outs[i] = aws_xml_text(root, names[i]);
	xmlFreeDoc(doc);
	return 0;
}

/* "2026-11-28T12:00:00Z", with optional fractional seconds and a numeric
 * offset in place of Z (none at all reads as UTC); anything after is an
 * error, so a garbled time never passes for a valid one. */
time_t aws_parse_timestamp(const char *text)
{
	struct tm tm = {0};
	int used = 0, hours, minutes;
	long offset = 0;
	if (!text || sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
			    &tm.tm_min, &tm.tm_sec, &used) != 6)
		return 0;
	const char *rest = text + used;
	if (*rest == '.')
		rest += 1 + strspn(rest + 1, "0123456789");
	if (*rest == '+' || *rest == '-') {
		used = 0;
		if (sscanf(rest + 1, "%2d:%2d%n", &hours, &minutes, &used) != 2)
			return 0;
		offset = (*rest == '-' ? -1 : 1) * (hours * 3600L + minutes * 60L);
		rest += 1 + used;
	} else if (*rest == 'Z' || *rest == 'z') {
		rest++;
	}
	if (*rest)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm) - offset;
}

/* Reads <Credentials> out of an AssumeRole* answer. */
static int read_credentials(const aws_service *svc, const char *operation, xmlDoc *doc, aws_credentials *out,
			    aws_error *err)
{
	xmlNode *creds = aws_xml_find(xmlDocGetRootElement(doc), "Credentials");
	char *expiration = creds ? aws_xml_text(creds, "Expiration") : NULL;
	memset(out, 0, sizeof *out);
	if (creds) {
		out->access_key_id = aws_xml_text(creds, "AccessKeyId");
		out->secret_access_key = aws_xml_text(creds, "SecretAccessKey");
		out->session_token = aws_xml_text(creds, "SessionToken");
		out->expiration = aws_parse_timestamp(expiration);
	}
	free(expiration);
	xmlFreeDoc(doc);
	if (out->access_key_id && out->secret_access_key && out->session_token)
		return 0;
	aws_credentials_clear(out);
	aws_error_set(err, svc, operation, 200, "MalformedResponse", "the answer holds no complete Credentials", NULL);
	return -1;
}

/* Parameters both AssumeRole calls take; duration text lives in `number`. */
static size_t role_params(const aws_assume_role *role, aws_param *params, char number[24])
{
	size_t n = 0;
	params[n++] = (aws_param){"RoleArn", role->role_arn};
	params[n++] = (aws_param){"RoleSessionName", role->session_name && *role->session_name ? role->session_name
											: DEFAULT_SESSION_NAME};
	if (role->duration_seconds > 0) {
		snprintf(number, 24, "%ld", role->duration_seconds);
		params[n++] = (aws_param){"DurationSeconds", number};
	}
	return n;
}

int sts_assume_role(aws_client *client, const aws_assume_role *role, double deadline, aws_credentials *out,
		    aws_error *err)
{
	aws_param params[4];
	char number[24];
	size_t n = role_params(role, params, number);
	if (role->external_id && *role->external_id)
		params[n++] = (aws_param){"ExternalId", role->external_id};
	xmlDoc *doc = aws_query_call(client, &aws_sts, "AssumeRole", params, n, deadline, err);
	if (!doc)
		return -1;
	if (read_credentials(&aws_sts, "AssumeRole", doc, out, err) != 0)
		return -1;
	out->source = "assume_role";
	return 0;
}

int sts_assume_role_with_web_identity(aws_client *client, const aws_assume_role *role, const char *token,
				      double deadline, aws_credentials *out, aws_error *err)
{
	aws_param params[4];
	char number[24];
	size_t n = role_params(role, params, number);
	params[n++] = (aws_param){"WebIdentityToken", token};
	xmlDoc *doc = aws_query_call(client, &aws_sts, "AssumeRoleWithWebIdentity", params, n, deadline, err);
	if (!doc)
		return -1;
	if (read_credentials(&aws_sts, "AssumeRoleWithWebIdentity", doc, out, err) != 0)
		return -1;
	out->source = "web_identity";
	return 0;
}
