/* test_aurora_cluster.c: what wagtail_aurora_cluster refuses before any
 * AWS call because RDS would refuse it at apply, and how its answers are
 * read where the XML nests the same element name twice. */
#include "unit.h"

#include "aws_calls.h"
#include "plan.h"
#include "schema.h"
#include "validate.h"

#include <libxml/parser.h>
#include <stdlib.h>

/* A cluster config with what every case needs but a password. */
static cty_value *cluster_config(void)
{
	cty_value *config = cty_object_new(resource_state_type(schema_find_resource("wagtail_aurora_cluster")));
	cty_object_set(config, "name", cty_string_new("wagtail"));
	cty_object_set(config, "instance_class", cty_string_new("db.t3.medium"));
	cty_object_set(config, "master_username", cty_string_new("wagtail"));
	cty_object_set(config, "monitoring_interval", cty_number_from_int(0));
	return config;
}

/* The errors validate reports for config (freed here), as "attribute
 * attribute ...". */
static char *errors_of(cty_value *config)
{
	const resource_def *r = schema_find_resource("wagtail_aurora_cluster");
	diag_list diags = {0};
	call_ctx ctx = {.diags = &diags};
	validate_config(r, config, &diags);
	r->validate(&ctx, config);
	char *found = calloc(1, 1024);
	for (size_t i = 0; found && i < diags.count; i++) {
		const diag *d = &diags.items[i];
		strncat(found, d->has_path && d->path.depth ? d->path.steps[0].name : "?", 1000 - strlen(found));
		strcat(found, " ");
	}
	diag_list_clear(&diags);
	cty_value_free(config);
	return found;
}

static char *errors_for(const char *password, long interval, const char *role)
{
	cty_value *config = cluster_config();
	cty_object_set(config, "master_password", cty_string_new(password));
	cty_object_set(config, "monitoring_interval", cty_number_from_int(interval));
	if (role)
		cty_object_set(config, "monitoring_role_arn", cty_string_new(role));
	return errors_of(config);
}

/* Exactly one of master_password_wo, master_password_parameter,
 * master_password and manage_master_user_password: a conflict is reported
 * on the second one set (in that order), none at all on
 * master_password_wo. */
TEST(aurora_master_password_is_given_one_way)
{
	static const struct {
		const char *password, *write_only, *parameter;
		long version; /* -1: unset */
		bool manage;
		const char *errors;
	} cases[] = {
		{NULL, "long-enough", NULL, 1, false, ""},
		{NULL, "long-enough", NULL, -1, false, "master_password_wo_version "},
		{"long-enough", "long-enough", NULL, 1, false, "master_password "},
		{NULL, "long-enough", NULL, 1, true, "manage_master_user_password "},
		{NULL, "short", NULL, 1, false, "master_password_wo "},
		{NULL, NULL, NULL, -1, false, "master_password_wo "}, /* no password at all */
		{NULL, NULL, NULL, -1, true, ""},
		{NULL, NULL, "/rds/x/master_password", -1, false, ""},
		{NULL, NULL, "/rds/x/master_password", 3, false, ""},
		{"long-enough", NULL, "/rds/x/master_password", -1, false, "master_password "},
		{NULL, "long-enough", "/rds/x/master_password", 1, false, "master_password_parameter "},
		{NULL, NULL, "/rds/x/master_password", -1, true, "manage_master_user_password "},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		cty_value *config = cluster_config();
		if (cases[i].password)
			cty_object_set(config, "master_password", cty_string_new(cases[i].password));
		if (cases[i].write_only)
			cty_object_set(config, "master_password_wo", cty_string_new(cases[i].write_only));
		if (cases[i].parameter)
			cty_object_set(config, "master_password_parameter", cty_string_new(cases[i].parameter));
		if (cases[i].version >= 0)
			cty_object_set(config, "master_password_wo_version", cty_number_from_int(cases[i].version));
		if (cases[i].manage)
			cty_object_set(config, "manage_master_user_password", cty_bool_new(true));
		char *errors = errors_of(config);
		CHECK_STR(errors, cases[i].errors);
		free(errors);
	}
}

/* A master_password_wo from an ephemeral resource is unknown at validate,
 * so a master_password beside it passes validate; the plan, where it is
 * known, refuses it. */
TEST(aurora_write_only_password_unknown_at_validate_is_judged_at_plan)
{
	const resource_def *r = schema_find_resource("wagtail_aurora_cluster");
	diag_list diags = {0};
	call_ctx ctx = {.diags = &diags};
	path_list replace = {0};
	cty_value *config = cluster_config();
	cty_object_set(config, "master_password", cty_string_new("long-enough"));
	cty_object_set(config, "master_password_wo", cty_unknown(&cty_string));
	cty_object_set(config, "master_password_wo_version", cty_number_from_int(1));
	r->validate(&ctx, config);
	CHECK(diags.count == 0);
	cty_object_set(config, "master_password_wo", cty_string_new("long-enough"));
	cty_value *none = cty_null(resource_state_type(r));
	r->plan(&ctx, none, config, config, &replace);
	CHECK(diags.count == 1 && strcmp(diags.items[0].summary, "Conflicting password settings") == 0 &&
	      diags.items[0].has_path && strcmp(diags.items[0].path.steps[0].name, "master_password") == 0);
	cty_value_free(none);
	path_list_clear(&replace);
	diag_list_clear(&diags);
	cty_value_free(config);
}

#define ROLE "arn:aws:iam::123456789012:role/rds-monitoring"

TEST(aurora_master_password_is_8_to_41_characters)
{
	char password[64];
	memset(password, 'a', sizeof password);
	password[41] = '\0';
	char *errors = errors_for(password, 0, NULL);
	CHECK_STR(errors, "");
	free(errors);
	password[41] = 'a';
	password[42] = '\0';
	errors = errors_for(password, 0, NULL);
	CHECK_STR(errors, "master_password ");
	free(errors);
	errors = errors_for("short", 0, NULL);
	CHECK_STR(errors, "master_password ");
	free(errors);
}

TEST(aurora_monitoring_role_needs_an_interval_and_the_other_way_round)
{
	char *errors = errors_for("long-enough", 10, ROLE);
	CHECK_STR(errors, "");
	free(errors);
	errors = errors_for("long-enough", 0, ROLE);
	CHECK_STR(errors, "monitoring_role_arn ");
	free(errors);
	errors = errors_for("long-enough", 10, NULL);
	CHECK_STR(errors, "monitoring_role_arn ");
	free(errors);
	errors = errors_for("long-enough", 0, NULL);
	CHECK_STR(errors, "");
	free(errors);
}

/* A DBCluster whose managed master password's secret, with a key of its
 * own, comes before the cluster's storage key: the cluster's KmsKeyId is
 * the direct child, not the first KmsKeyId found in document order. */
TEST(aurora_reads_direct_children_not_the_first_match_below)
{
	static const char xml[] =
		"<DBCluster><MasterUserSecret><SecretArn>arn:aws:secretsmanager:eu-west-1:1:secret:s</SecretArn>"
		"<KmsKeyId>secret-key</KmsKeyId></MasterUserSecret><KmsKeyId>storage-key</KmsKeyId>"
		"<PendingModifiedValues><EngineVersion>15.5</EngineVersion></PendingModifiedValues>"
		"<EngineVersion>15.4</EngineVersion></DBCluster>";
	xmlDoc *doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL, 0);
	xmlNode *cluster = xmlDocGetRootElement(doc);
	char *key = xml_child_text(cluster, "KmsKeyId"), *secret_key = xml_child_text(cluster, "MasterUserSecret/KmsKeyId");
	char *version = xml_child_text(cluster, "EngineVersion");
	char *pending = xml_child_text(cluster, "PendingModifiedValues/EngineVersion");
	CHECK_STR(key, "storage-key");
	CHECK_STR(secret_key, "secret-key");
	CHECK_STR(version, "15.4");
	CHECK_STR(pending, "15.5");
	CHECK(xml_child_text(cluster, "SecretArn") == NULL);
	free(key);
	free(secret_key);
	free(version);
	free(pending);
	xmlFreeDoc(doc);
}
