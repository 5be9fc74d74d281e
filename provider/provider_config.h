/* provider_config.h: the provider block and what ConfigureProvider makes of it. */
#ifndef WAGTAIL_PROVIDER_CONFIG_H
#define WAGTAIL_PROVIDER_CONFIG_H

#include "resource.h"

/* Builds the configured provider from the provider block; NULL with errors
 * in diags when the block is unusable. Free with provider_client_free. */
provider_client *provider_client_new(const cty_value *config, diag_list *diags);
void provider_client_free(provider_client *client);

/* The region resources act in (never NULL for a configured client). */
const char *provider_client_region(const provider_client *client);

#endif
