/* test_ecs_service.c: wagtail_ecs_service's container definitions compared
 * by meaning, its checks before any AWS call, and its plan. */
#include "unit.h"

#include "ecs_task_definition.h"
#include "json_equiv.h"
#include "schema.h"

#include <stdio.h>
#include <stdlib.h>

/* What a user writes, and what DescribeTaskDefinition answers for it. */
static const char *const written =
	"[{\"name\": \"wagtail\", \"image\": \"wagtail:1.0\", \"memoryReservation\": 256,\n"
	"  \"portMappings\": [{\"containerPort\": 8000}],\n"
	"  \"environment\": [{\"name\": \"STAGE\", \"value\": \"prod\"}, {\"name\": \"APP\", \"value\": \"cms\"}],\n"
	"  \"healthCheck\": {\"command\": [\"CMD\", \"true\"]},\n"
	"  \"logConfiguration\": {\"logDriver\": \"awslogs\", \"options\": {\"awslogs-group\": \"/ecs/wagtail\"}}}]";
static const char *const described =
	"[{\"cpu\":0,\"environment\":[{\"name\":\"APP\",\"value\":\"cms\"},{\"name\":\"STAGE\",\"value\":\"prod\"}],"
	"\"essential\":true,\"healthCheck\":{\"command\":[\"CMD\",\"true\"],\"interval\":30,\"retries\":3,\"timeout\":5},"
	"\"image\":\"wagtail:1.0\",\"logConfiguration\":{\"logDriver\":\"awslogs\",\"options\":{\"awslogs-group\":"
	"\"/ecs/wagtail\"},\"secretOptions\":[]},\"memoryReservation\":256,\"mountPoints\":[],\"name\":\"wagtail\","
	"\"portMappings\":[{\"containerPort\":8000,\"hostPort\":8000,\"protocol\":\"tcp\"}],\"systemControls\":[],"
	"\"volumesFrom\":[]}]";

static bool same(const char *a, const char *b)
{
	return json_equivalent(a, b, container_definitions_normalize);
}

TEST(ecs_container_defaults_from_aws_show_no_diff)
{
	CHECK(same(written, described));
	CHECK(!json_equivalent(written, described, NULL));
}

TEST(ecs_container_order_of_containers_and_variables_does_not_matter)
{
	CHECK(same("[{\"name\":\"a\",\"image\":\"x\"},{\"name\":\"b\",\"image\":\"y\"}]",
		   "[{\"name\":\"b\",\"image\":\"y\"},{\"image\":\"x\",\"name\":\"a\"}]"));
	CHECK(same("[{\"name\":\"a\",\"image\":\"x\",\"secrets\":[{\"name\":\"P\",\"valueFrom\":\"arn:1\"},"
		   "{\"name\":\"O\",\"valueFrom\":\"arn:2\"}]}]",
		   "[{\"name\":\"a\",\"image\":\"x\",\"secrets\":[{\"name\":\"O\",\"valueFrom\":\"arn:2\"},"
		   "{\"name\":\"P\",\"valueFrom\":\"arn:1\"}]}]"));
}

TEST(ecs_container_real_changes_still_differ)
{
	const char *base = "[{\"name\":\"web\",\"image\":\"nginx:1\",\"portMappings\":[{\"containerPort\":80}]}]";
	CHECK(!same(base, "[{\"name\":\"web\",\"image\":\"nginx:2\",\"portMappings\":[{\"containerPort\":80}]}]"));
	CHECK(!same(base, "[{\"name\":\"web\",\"image\":\"nginx:1\",\"essential\":false,"
			  "\"portMappings\":[{\"containerPort\":80}]}]"));
	CHECK(!same(base, "[{\"name\":\"web\",\"image\":\"nginx:1\",\"portMappings\":[{\"containerPort\":80,"
			  "\"protocol\":\"udp\"}]}]"));
	CHECK(!same(base, "[{\"name\":\"web\",\"image\":\"nginx:1\",\"cpu\":128,"
			  "\"portMappings\":[{\"containerPort\":80}]}]"));
	CHECK(!same(base, "[{\"name\":\"web\",\"image\":\"nginx:1\",\"portMappings\":[{\"containerPort\":80}],"
			  "\"healthCheck\":{\"command\":[\"CMD\",\"true\"],\"interval\":10}}]"));
	CHECK(!same(base, "[{\"name\":\"web\",\"image\":\"nginx:1\",\"portMappings\":[{\"containerPort\":80},"
			  "{\"containerPort\":443}]}]"));
}

/* ---- validation, through the resource's validate handler ---- */

static const resource_def *service(void)
{
	return schema_find_resource("wagtail_ecs_service");
}

static const cty_type *block_list_type(const char *name)
{
	const cty_type *t = resource_state_type(service());
	return t->fields[cty_type_field_index(t, name)].type;
}

static cty_value *config_with(const char *containers, bool task_memory)
{
	cty_value *config = cty_object_new(resource_state_type(service()));
	cty_object_set(config, "container_definitions",
		       containers ? cty_string_new(containers) : cty_unknown(&cty_string));
	if (task_memory)
		cty_object_set(config, "memory", cty_number_from_int(512));
	cty_object_set(config, "load_balancer", cty_collection_new(block_list_type("load_balancer")));
	return config;
}

/* Runs validate; true when it reported exactly one error, about `attribute`,
 * whose detail contains `words`. */
static bool one_error(cty_value *config, const char *attribute, const char *words)
{
	diag_list diags = {0};
	call_ctx ctx = {.diags = &diags};
	service()->validate(&ctx, config);
	bool ok = diags.count == 1 && diags.items[0].severity == DIAG_ERROR && diags.items[0].has_path &&
		  strcmp(diags.items[0].path.steps[0].name, attribute) == 0 && diags.items[0].detail &&
		  strstr(diags.items[0].detail, words);
	if (!ok)
		for (size_t i = 0; i < diags.count; i++)
			fprintf(stderr, "    got: %s: %s\n", diags.items[i].summary, diags.items[i].detail);
	diag_list_clear(&diags);
	cty_value_free(config);
	return ok;
}

static size_t error_count(cty_value *config)
{
	diag_list diags = {0};
	call_ctx ctx = {.diags = &diags};
	service()->validate(&ctx, config);
	size_t n = diags.count;
	diag_list_clear(&diags);
	cty_value_free(config);
	return n;
}

TEST(ecs_validate_refuses_bad_container_definitions)
{
	CHECK(one_error(config_with("[{\"name\": \"web\", \"image\": ", true), "container_definitions", "not valid JSON"));
	CHECK(one_error(config_with("{\"name\": \"web\", \"image\": \"nginx\"}", true), "container_definitions",
			"JSON array"));
	CHECK(one_error(config_with("[]", true), "container_definitions", "JSON array"));
	CHECK(one_error(config_with("[{\"image\": \"nginx\"}]", true), "container_definitions", "no \"name\""));
	CHECK(one_error(config_with("[{\"name\": \"web\"}]", true), "container_definitions", "no \"image\""));
	CHECK(one_error(config_with("[{\"name\": \"a\", \"image\": \"x\"}, {\"name\": \"b\", \"image\": \"\"}]", true),
			"container_definitions", "container 2 (\"b\") has no \"image\""));
}

TEST(ecs_validate_needs_memory_from_task_or_container)
{
	CHECK(one_error(config_with("[{\"name\": \"web\", \"image\": \"nginx\"}]", false), "memory", "\"web\""));
	CHECK(error_count(config_with("[{\"name\": \"web\", \"image\": \"nginx\"}]", true)) == 0);
	CHECK(error_count(config_with("[{\"name\": \"web\", \"image\": \"nginx\", \"memoryReservation\": 128}]",
				      false)) == 0);
	CHECK(error_count(config_with("[{\"name\": \"web\", \"image\": \"nginx\", \"memory\": 256}]", false)) == 0);
	CHECK(error_count(config_with(NULL, false)) == 0); /* unknown until apply */
}

TEST(ecs_validate_checks_load_balancer_settings)
{
	cty_value *config = config_with("[{\"name\": \"web\", \"image\": \"nginx\"}]", true);
	cty_object_set(config, "health_check_grace_period_seconds", cty_number_from_int(60));
	CHECK(one_error(config, "health_check_grace_period_seconds", "load_balancer"));

	config = config_with("[{\"name\": \"web\", \"image\": \"nginx\"}]", true);
	const cty_type *list_type = block_list_type("load_balancer");
	cty_value *list = cty_collection_new(list_type), *balancer = cty_object_new(list_type->elem);
	cty_object_set(balancer, "container_name", cty_string_new("wagtail"));
	cty_object_set(balancer, "container_port", cty_number_from_int(8000));
	cty_append(list, balancer);
	cty_object_set(config, "load_balancer", list);
	CHECK(one_error(config, "load_balancer", "\"wagtail\""));
}

/* ---- plan ---- */

static cty_value *prior_state(void)
{
	cty_value *prior = config_with(described, false);
	cty_object_set(prior, "task_definition_arn",
		       cty_string_new("arn:aws:ecs:eu-west-1:123456789012:task-definition/wagtail:3"));
	cty_object_set(prior, "task_definition_revision", cty_number_from_int(3));
	return prior;
}

TEST(ecs_plan_keeps_equivalent_container_text_and_revision)
{
	call_ctx ctx = {0};
	cty_value *prior = prior_state(), *planned = cty_value_clone(prior);
	cty_object_set(planned, "container_definitions", cty_string_new(written));
	service()->plan(&ctx, prior, planned, planned, NULL);
	CHECK(cty_value_equal(planned, prior));
	cty_value_free(prior);
	cty_value_free(planned);
}

TEST(ecs_plan_new_image_means_new_revision)
{
	call_ctx ctx = {0};
	cty_value *prior = prior_state(), *planned = cty_value_clone(prior);
	cty_object_set(planned, "container_definitions",
		       cty_string_new("[{\"name\":\"wagtail\",\"image\":\"wagtail:1.1\",\"memoryReservation\":256}]"));
	service()->plan(&ctx, prior, planned, planned, NULL);
	CHECK(cty_is_unknown(cty_object_get(planned, "task_definition_arn")));
	CHECK(cty_is_unknown(cty_object_get(planned, "task_definition_revision")));
	cty_value_free(prior);
	cty_value_free(planned);
}

TEST(ecs_import_id_is_cluster_slash_service)
{
	diag_list diags = {0};
	call_ctx ctx = {.diags = &diags};
	cty_value *state = service()->import(&ctx, "arn:aws:ecs:eu-west-1:123456789012:cluster/main/wagtail");
	CHECK_STR(cty_object_get_string(state, "cluster"), "arn:aws:ecs:eu-west-1:123456789012:cluster/main");
	CHECK_STR(cty_object_get_string(state, "name"), "wagtail");
	cty_value_free(state);
	CHECK(service()->import(&ctx, "wagtail") == NULL && diags.count == 1);
	diag_list_clear(&diags);
}
