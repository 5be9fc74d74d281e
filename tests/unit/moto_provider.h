/* moto_provider.h: a configured provider whose endpoint for one service is
 * a real moto server that tests/unit/run.sh started, for unit tests that
 * drive resource handlers or the AWS call kit against it. */
#ifndef WAGTAIL_MOTO_PROVIDER_H
#define WAGTAIL_MOTO_PROVIDER_H

#include "resource.h"

/* A provider for eu-west-1 with `service`'s endpoint (an endpoints block
 * key: "ssm", "lambda") at the URL in environment variable
 * `endpoint_variable` (MOTO_ENDPOINT: through the strict AWS layer;
 * MOTO_UNCHECKED_ENDPOINT: moto that checks no signatures), keyed with
 * MOTO_ACCESS_KEY / MOTO_SECRET_KEY. NULL, with the test failed and told
 * how to run it, when run.sh did not set them. The caller frees it with
 * provider_client_free. */
provider_client *unit_moto_provider(const char *service, const char *endpoint_variable);

#endif
