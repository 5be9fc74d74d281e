/* credentials.h: the AWS credential chain, in the SDKs' order.
 *
 *  1. explicit (provider arguments access_key / secret_key / token)
 *  2. environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN
 *  3. web identity: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (+ AWS_ROLE_SESSION_NAME)
 *  4. shared files: AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials) and
 *     AWS_CONFIG_FILE (~/.aws/config), profile from `profile` or AWS_PROFILE
 *     (default "default"): static keys, credential_process, or role_arn with
 *     source_profile
 *  5. ECS container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (169.254.170.2) or
 *     _FULL_URI with AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE)
 *  6. EC2 instance metadata, IMDSv2 (token PUT, then role and credentials);
 *     AWS_EC2_METADATA_SERVICE_ENDPOINT overrides the address,
 *     AWS_EC2_METADATA_DISABLED=true skips it
 * then, if configured, assume_role through STS with what the chain found.
 *
 * A provider owns its credential source; credentials_get is thread-safe
 * and refreshes temporary credentials five minutes before they expire. */
#ifndef WAGTAIL_CREDENTIALS_H
#define WAGTAIL_CREDENTIALS_H

#include "diag.h"
#include "http.h"

#include <time.h>

typedef struct {
	char *access_key_id;     /* owned */
	char *secret_access_key; /* owned; never logged */
	char *session_token;     /* owned, NULL for long-term keys; never logged */
	time_t expiration;       /* 0 = does not expire */
	const char *source;      /* static name of where they came from, for logs */
} aws_credentials;

typedef struct {
	const char *role_arn;
	const char *session_name; /* default "terraform-provider-wagtail" */
	const char *external_id;  /* optional */
	long duration_seconds;    /* 0 = STS default (3600) */
} aws_assume_role;

typedef struct {
	const char *access_key;   /* explicit, optional (with secret_key) */
	const char *secret_key;
	const char *token;
	const char *profile;      /* NULL: AWS_PROFILE, then "default" */
	const aws_assume_role *assume_role; /* NULL: none */
	const char *region;       /* for STS calls */
	const char *sts_endpoint; /* NULL: the regional default or AWS_ENDPOINT_URL(_STS) */
	http_tls tls;             /* for STS and container endpoints */
} credentials_config;

typedef struct credentials_source credentials_source;

/* Copies what it needs from config. NULL with an error in diags when no
 * source in the chain yields credentials. */
credentials_source *credentials_source_new(const credentials_config *config, diag_list *diags);
void credentials_source_free(credentials_source *source);

/* Current credentials, refreshed when due. Fills *out with copies the caller
 * frees with aws_credentials_clear. Returns 0, or -1 with an error in diags. */
int credentials_get(credentials_source *source, aws_credentials *out, diag_list *diags);
void aws_credentials_clear(aws_credentials *c);

#endif
