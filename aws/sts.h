/* sts.h: the STS calls the provider makes. GetCallerIdentity checks
 * credentials at configure time and names the account; the AssumeRole
 * calls serve the credential chain (credentials.c), which signs them with
 * the credentials it found before them, or not at all for web identity. */
#ifndef WAGTAIL_STS_H
#define WAGTAIL_STS_H

#include "client.h"
#include "credentials.h"

/* Each out-string is malloc'd (the caller frees); any out pointer may be
 * NULL when not wanted. Returns 0, or -1 with err filled. */
int sts_get_caller_identity(aws_client *client, double deadline, char **account, char **arn, char **user_id,
			    aws_error *err);

/* STS AssumeRole. `client` signs with the source credentials. Fills *out
 * (clear with aws_credentials_clear). Returns 0, or -1 with err filled. */
int sts_assume_role(aws_client *client, const aws_assume_role *role, double deadline, aws_credentials *out,
		    aws_error *err);

/* STS AssumeRoleWithWebIdentity: `client` is unsigned (aws_client_new_fixed
 * with NULL credentials); token is the OIDC token's text. */
int sts_assume_role_with_web_identity(aws_client *client, const aws_assume_role *role, const char *token,
				      double deadline, aws_credentials *out, aws_error *err);

/* An ISO 8601 timestamp as STS and the credential endpoints write it
 * ("2026-11-28T12:00:00Z", with optional fraction and offset) to UTC
 * seconds; 0 when unreadable. */
time_t aws_parse_timestamp(const char *text);

#endif
