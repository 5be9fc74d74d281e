/* registry.c: the provider's resources, data sources and ephemeral
 * resources, expanded from the one list in resources/registry.def. Do not
 * list them here: add a line there (`make new-resource` does). */
#include "ephemeral.h"
#include "resource.h"

/* The declarations: each RESOURCE(x) names `resource_x`, each
 * DATA_SOURCE(x) names `data_x`, defined in resources/x.c, and each
 * EPHEMERAL(x) names `ephemeral_x`, defined in resources/x.c beside the
 * resource or data source of that name. A line whose table does not exist
 * fails at link time, naming the symbol. */
#define RESOURCE(name) extern const resource_def resource_##name;
#define DATA_SOURCE(name) extern const resource_def data_##name;
#define EPHEMERAL(name) extern const ephemeral_def ephemeral_##name;
#include "registry.def"
#undef RESOURCE
#undef DATA_SOURCE
#undef EPHEMERAL

const resource_def *const registry_resources[] = {
#define RESOURCE(name) &resource_##name,
#define DATA_SOURCE(name)
#define EPHEMERAL(name)
#include "registry.def"
#undef RESOURCE
#undef DATA_SOURCE
#undef EPHEMERAL
	NULL,
};

const resource_def *const registry_data_sources[] = {
#define RESOURCE(name)
#define DATA_SOURCE(name) &data_##name,
#define EPHEMERAL(name)
#include "registry.def"
#undef RESOURCE
#undef DATA_SOURCE
#undef EPHEMERAL
	NULL,
};

const ephemeral_def *const registry_ephemerals[] = {
#define RESOURCE(name)
#define DATA_SOURCE(name)
#define EPHEMERAL(name) &ephemeral_##name,
#include "registry.def"
#undef RESOURCE
#undef DATA_SOURCE
#undef EPHEMERAL
	NULL,
};
