/* test_schema_marks.c: which attributes the served schema marks sensitive.
 * The CLI records those marks in the state (sensitive_attributes) and plans
 * a change of marks alone as an update in place, so a mark added to an
 * attribute that is always null, as a write-only one is, would turn every
 * state written before it into a planned update (plan -refresh=false of a
 * state of release 0.1.0: wagtail_aurora_cluster's master_password_wo and
 * wagtail_ssm_parameter's value_wo). */
#include "unit.h"

#include "proto_convert.h"
#include "schema.h"

#include <string.h>

static const Tfplugin6__Schema__Attribute *served(const Tfplugin6__Schema *schema, const char *name)
{
	for (size_t i = 0; i < schema->block->n_attributes; i++)
		if (strcmp(schema->block->attributes[i]->name, name) == 0)
			return schema->block->attributes[i];
	return NULL;
}

/* Every top-level attribute of every registered resource: sensitive in the
 * schema exactly when the table says ATTR_SENSITIVE and it is not
 * write-only. */
TEST(schema_marks_sensitive_all_but_write_only)
{
	size_t write_only = 0, sensitive = 0;
	for (const resource_def *const *r = registry_resources; *r; r++) {
		arena a = {0};
		Tfplugin6__Schema *schema = proto_schema(&a, *r);
		for (const attr_def *d = (*r)->schema.attributes; d && d->name; d++) {
			const Tfplugin6__Schema__Attribute *attr = served(schema, d->name);
			bool want = (d->flags & ATTR_SENSITIVE) && !(d->flags & ATTR_WRITE_ONLY);
			CHECK(attr != NULL);
			if (!attr)
				continue;
			if (attr->sensitive != want)
				unit_fail(__FILE__, __LINE__, d->name);
			write_only += (d->flags & ATTR_WRITE_ONLY) != 0;
			sensitive += attr->sensitive;
		}
		arena_free(&a);
	}
	/* The walk saw both kinds: write-only secrets and stored ones. */
	CHECK(write_only >= 2 && sensitive >= 2);
}

TEST(schema_marks_aurora_and_ssm_secrets)
{
	arena a = {0};
	const Tfplugin6__Schema *aurora = proto_schema(&a, schema_find_resource("wagtail_aurora_cluster"));
	CHECK(served(aurora, "master_password")->sensitive);
	CHECK(!served(aurora, "master_password_wo")->sensitive && served(aurora, "master_password_wo")->write_only);
	const Tfplugin6__Schema *ssm = proto_schema(&a, schema_find_resource("wagtail_ssm_parameter"));
	CHECK(served(ssm, "value")->sensitive);
	CHECK(!served(ssm, "value_wo")->sensitive && served(ssm, "value_wo")->write_only);
	arena_free(&a);
}
