/* rds_token.h: IAM database authentication tokens for RDS and Aurora.
 *
 * A token is a SigV4-presigned "connect" URL for service rds-db, valid for
 * 15 minutes, without its scheme: HOST:PORT/?Action=connect&DBUser=...&X-Amz-...
 * It is used as the database password. It is a secret: never logged. */
#ifndef WAGTAIL_RDS_TOKEN_H
#define WAGTAIL_RDS_TOKEN_H

#include "sigv4.h"

#include <time.h>

/* Returns the malloc'd token, or NULL with *error set (malloc'd). */
char *rds_token_generate(const char *host, long port, const char *user, const char *region,
			 const sigv4_credentials *creds, time_t now, char **error);

#endif
