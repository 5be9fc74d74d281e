/* ssm_secret.h: the decrypted value of an SSM parameter, fetched for one
 * operation and never kept. It lets a configuration name where a secret is
 * (db_connection's password_parameter, an Aurora cluster's
 * master_password_parameter) instead of carrying the secret, so that no
 * state, plan or log holds it, on every CLI: a name is not a secret, and
 * the provider reads the value again whenever it needs it, at refresh and
 * destroy as well as at apply (the plugin protocol sends no configuration,
 * and so no write-only value, to those). */
#ifndef WAGTAIL_SSM_SECRET_H
#define WAGTAIL_SSM_SECRET_H

#include "aws_calls.h"

/* GetParameter WithDecryption of `name` (SSM ignores the flag for String
 * and StringList), under rules as ctx_json_as takes them: the answer, which
 * holds the plain value, in *answer when AWS_DONE, for the caller to free
 * with ssm_answer_free. The one way this provider reads a value. */
aws_outcome ssm_get_decrypted(call_ctx *ctx, const char *name, const aws_rules *rules, cJSON **answer,
			      aws_error *err);

/* Overwrites the value in a GetParameter answer, then frees it. NULL is
 * allowed. */
void ssm_answer_free(cJSON *answer);

/* GetParameter WithDecryption of `name` (a name, an ARN, either with
 * :version or :label). Returns the value, malloc'd, for the caller to free
 * with ssm_secret_free; NULL with an error at `at` in ctx->diags when the
 * parameter cannot be read (missing, access denied, KMS refusal) or is
 * empty. */
char *ssm_secret_get(call_ctx *ctx, const char *name, const diag_path *at);

/* Overwrites the secret, then frees it. NULL is allowed. */
void ssm_secret_free(char *secret);

#endif
