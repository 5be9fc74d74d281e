/* tests/resources/test_write_only.c: resource wagtail_test_write_only, compiled in test
 * builds only (-DWAGTAIL_TEST_RESOURCES; tests/acceptance/ephemeral.sh
 * makes one), never in the provider we ship. It drives write-only
 * attributes (resource.h, ATTR_WRITE_ONLY) end to end through the real
 * CLIs, at the top level and in a nested block, with no AWS behind it.
 *
 * create and update append each write-only value they received to the
 * file `sink` names, one `path=value` line each, and the plan hook appends
 * what the config held at plan to `sink`.plan: the test reads the values
 * there, so it can tell that they reached the provider at plan and at
 * apply while the state, the saved plan and the logs hold none of them. */
#ifdef WAGTAIL_TEST_RESOURCES

#include "attr.h"
#include "resource.h"

#include <stdio.h>

static const attr_def item_attributes[] = {
	{"label", &cty_string, ATTR_REQUIRED, "Names the item."},
	{"secret_wo", &cty_string, ATTR_OPTIONAL | ATTR_WRITE_ONLY, "A write-only value in a nested block."},
	{NULL},
};

static const block_def item_block = {.attributes = item_attributes, .description = "An item."};

static const nested_def blocks[] = {
	{"item", NEST_LIST, &item_block},
	{NULL},
};

static const attr_def attributes[] = {
	{"name", &cty_string, ATTR_REQUIRED, "Names the resource; its id."},
	{"sink", &cty_string, ATTR_REQUIRED | ATTR_REPLACE, "File that create and update write what they got to."},
	{"secret_wo", &cty_string, ATTR_OPTIONAL | ATTR_WRITE_ONLY, "A write-only value."},
	{"secret_wo_version", &cty_number, ATTR_OPTIONAL, "Bumped to send secret_wo again."},
	{"id", &cty_string, ATTR_COMPUTED, "The name."},
	{NULL},
};

static void write_value(FILE *f, const char *path, const cty_value *o)
{
	const char *value = attr_text(o, "secret_wo");
	fprintf(f, "%s=%s\n", path, value ? value : "<null>");
}

/* What the handler was given (o: planned, or the config at plan), appended
 * to the sink (suffix "" or ".plan") as its lines. */
static bool write_sink(call_ctx *ctx, const cty_value *o, const char *suffix)
{
	const char *sink = attr_text(o, "sink");
	const cty_value *items = cty_object_get(o, "item");
	char path[4096], item_path[64];
	FILE *f = NULL;

	if (sink && (size_t)snprintf(path, sizeof path, "%s%s", sink, suffix) < sizeof path)
		f = fopen(path, "a");
	if (!f) {
		diag_attr_error(ctx->diags, "sink", "Cannot write the sink", "Cannot open %s%s.", sink ? sink : "(null)",
				suffix);
		return false;
	}
	write_value(f, "secret_wo", o);
	for (size_t i = 0; i < cty_length(items); i++) {
		snprintf(item_path, sizeof item_path, "item[%zu].secret_wo", i);
		write_value(f, item_path, cty_index(items, i));
	}
	return fclose(f) == 0;
}

/* The engine has nulled the write-only values in planned; config has them. */
static void plan_test(call_ctx *ctx, const cty_value *prior, const cty_value *config, cty_value *planned,
		      path_list *replace)
{
	(void)prior, (void)planned, (void)replace;
	if (cty_is_known(cty_object_get(config, "sink")))
		write_sink(ctx, config, ".plan");
}

static cty_value *create_test(call_ctx *ctx, const cty_value *planned)
{
	if (!write_sink(ctx, planned, ""))
		return NULL;
	cty_value *state = cty_value_clone(planned);
	cty_object_set(state, "id", cty_string_new(attr_text(planned, "name")));
	return state;
}

static cty_value *update_test(call_ctx *ctx, const cty_value *prior, const cty_value *planned)
{
	(void)prior;
	return create_test(ctx, planned);
}

static cty_value *read_test(call_ctx *ctx, const cty_value *state)
{
	(void)ctx;
	return cty_value_clone(state);
}

const resource_def resource_test_write_only = {
	.type_name = "wagtail_test_write_only",
	.schema = {.attributes = attributes,
		   .blocks = blocks,
		   .description = "Test builds only: hands write-only values to a file."},
	.plan = plan_test,
	.create = create_test,
	.read = read_test,
	.update = update_test,
	.no_import = true,
};

#endif
