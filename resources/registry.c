/* registry.c: the provider's resources and data sources. Add new ones here. */
#include "resource.h"

extern const resource_def data_iam_db_connect_policy;

const resource_def *const registry_resources[] = {
	NULL,
};

const resource_def *const registry_data_sources[] = {
	&data_iam_db_connect_policy,
	NULL,
};
