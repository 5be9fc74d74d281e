/* aurora_lambda_trigger.c: resource wagtail_aurora_lambda_trigger, a row
 * trigger on an Aurora PostgreSQL table that invokes a Lambda function
 * through Aurora's aws_lambda extension, e.g. to purge a CDN when a Wagtail
 * page is published.
 *
 * The trigger function is one fixed PL/pgSQL text; what it calls and sends
 * are the trigger's arguments (function ARN, invocation type, payload
 * columns), which PostgreSQL keeps verbatim in pg_trigger. So a refresh
 * reads back exactly what the trigger does, and the function's body can be
 * compared with ours: an edit by hand shows as drift of function_body.
 *
 * Aurora needs an IAM role associated with the cluster for feature Lambda.
 * That association belongs to wagtail_aurora_cluster's iam_roles; this
 * resource only checks it at apply, before touching the database. */
#include "attr.h"
#include "aws_calls.h"
#include "pg_connection.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const events[] = {"INSERT", "UPDATE", "DELETE", NULL};
static const char *const invocation_types[] = {"Event", "RequestResponse", NULL};

/* schema.table, each part a PostgreSQL name without dots or slashes (the
 * separators of the table and of the import id). */
#define TABLE_CHECK                                                                                          \
	{CHECK_REGEX, .pattern = "^[^[:cntrl:]./]{1,63}\\.[^[:cntrl:]./]{1,63}$",                             \
	 .expected = "a schema-qualified table such as public.wagtailcore_page (names of at most 63 bytes, no "  \
		     "dots, slashes or control characters)"}
#define TRIGGER_NAME_CHECK                                                                                   \
	{CHECK_REGEX, .pattern = "^[^[:cntrl:]/]+$", .max_length = 63,                                       \
	 .expected = "a PostgreSQL name of 1 to 63 bytes without slashes or control characters"}

static const attr_def attributes[] = {
	{"name", &cty_string, ATTR_REQUIRED | ATTR_REPLACE,
	 "Name of the trigger and of its function, which lives in the table's schema.", .check = TRIGGER_NAME_CHECK},
	{"cluster_identifier", &cty_string, ATTR_REQUIRED,
	 "The Aurora cluster; checked at apply for an IAM role associated for feature Lambda."},
	{"table", &cty_string, ATTR_REQUIRED | ATTR_REPLACE, "Schema-qualified table, e.g. public.wagtailcore_page.",
	 .check = TABLE_CHECK},
	{"events", &cty_set_of_string, ATTR_REQUIRED, "Row changes that invoke the function: INSERT, UPDATE, DELETE.",
	 .check = {CHECK_ENUM, .choices = events}},
	{"function_arn", &cty_string, ATTR_REQUIRED, "The Lambda function's ARN, optionally with a version or alias.",
	 .check = {CHECK_REGEX,
		   /* The lengths (name 64, qualifier 128) are checked in
		    * validate_trigger: as {1,64} and {1,128} here they cost musl's
		    * regcomp about 10 MiB. */
		   .pattern = "^arn:aws[a-z-]*:lambda:[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:function:[A-Za-z0-9_-]+"
			      "(:[A-Za-z0-9$_-]+)?$",
		   .expected = "a Lambda function ARN such as arn:aws:lambda:eu-west-1:123456789012:function:purge"}},
	{"invocation_type", &cty_string, ATTR_OPTIONAL,
	 "Event (asynchronous) or RequestResponse (the row change waits for the function).",
	 .default_json = "\"Event\"", .check = {CHECK_ENUM, .choices = invocation_types}},
	{"payload_columns", &cty_list_of_string, ATTR_OPTIONAL, "Columns to send; default the whole row.",
	 .check = PG_NAME_CHECK},
	{"function_body", &cty_string, ATTR_COMPUTED,
	 "The trigger function's PL/pgSQL body as the database has it; null when the trigger runs another "
	 "function."},
	{"id", &cty_string, ATTR_COMPUTED, "schema.table/name: the import id."},
	{NULL},
};

static const nested_def blocks[] = {
	PG_CONNECTION_NESTED,
	{NULL},
};

static const timeouts_def timeouts = {.create = 600, .read = 300, .update = 600, .delete = 600};

extern const resource_def resource_aurora_lambda_trigger;

/* The trigger function. Arguments: the function ARN, the invocation type,
 * then the payload columns (none: all). The payload is
 * {"operation", "schema", "table", "row"}, the row being the new one, or
 * the old one for DELETE. SECURITY DEFINER: the application's users write
 * the table, but only the function's owner may call aws_lambda.invoke. */
static const char function_body[] =
	"\n"
	"DECLARE\n"
	"\tchanged record;\n"
	"\trow_json jsonb;\n"
	"BEGIN\n"
	"\tIF TG_OP = 'DELETE' THEN changed := OLD; ELSE changed := NEW; END IF;\n"
	"\trow_json := to_jsonb(changed);\n"
	"\tIF TG_NARGS > 2 THEN\n"
	"\t\tSELECT coalesce(jsonb_object_agg(c.key, c.value), '{}') INTO row_json\n"
	"\t\tFROM jsonb_each(row_json) AS c WHERE c.key = ANY (TG_ARGV[2:]);\n"
	"\tEND IF;\n"
	"\tPERFORM aws_lambda.invoke(\n"
	"\t\taws_commons.create_lambda_function_arn(TG_ARGV[0]),\n"
	"\t\tjson_build_object('operation', TG_OP, 'schema', TG_TABLE_SCHEMA, 'table', TG_TABLE_NAME,\n"
	"\t\t\t'row', row_json),\n"
	"\t\tTG_ARGV[1]);\n"
	"\tRETURN NULL;\n"
	"END;\n";

/* pg_trigger.tgtype bits */
enum { TYPE_ROW = 1, TYPE_BEFORE = 2, TYPE_INSERT = 4, TYPE_DELETE = 8, TYPE_UPDATE = 16, TYPE_INSTEAD = 64 };
static const int event_bits[] = {TYPE_INSERT, TYPE_UPDATE, TYPE_DELETE}; /* in the order of events[] */

/* ---- validate and plan: no connection ---- */

/* Lambda's limits on a function ARN's parts, which the schema's pattern
 * leaves out: a name of at most 64 characters, a version or alias of at
 * most 128. */
static void function_arn_lengths_check(const char *arn, diag_list *diags)
{
	const char *name = arn ? strstr(arn, ":function:") : NULL;
	if (!name)
		return; /* the pattern reports it */
	name += strlen(":function:");
	const char *qualifier = strchr(name, ':');
	size_t name_length = qualifier ? (size_t)(qualifier - name) : strlen(name);
	if (name_length > 64 || (qualifier && strlen(qualifier + 1) > 128))
		diag_attr_error(diags, "function_arn", "Invalid Lambda function ARN",
				"A function name has at most 64 characters and a version or alias at most 128; "
				"this ARN has %zu and %zu.",
				name_length, qualifier ? strlen(qualifier + 1) : (size_t)0);
}

static void validate_trigger(call_ctx *ctx, const cty_value *config)
{
	const cty_value *chosen = cty_object_get(config, "events"), *columns = cty_object_get(config, "payload_columns");
	pg_connection_validate(config, ctx->diags);
	function_arn_lengths_check(attr_text(config, "function_arn"), ctx->diags);
	if (cty_is_known(chosen) && cty_length(chosen) == 0)
		diag_attr_error(ctx->diags, "events", "No events", "Name at least one of INSERT, UPDATE and DELETE.");
	if (cty_is_known(columns) && cty_length(columns) == 0)
		diag_attr_error(ctx->diags, "payload_columns", "No payload columns",
				"Name at least one column, or leave payload_columns out to send the whole row.");
}

/* The function body is ours, known at plan: a body changed in the
 * database differs from it, and the plan shows the repair. */
static void plan_trigger(call_ctx *ctx, const cty_value *prior, const cty_value *config, cty_value *planned,
                         path_list *replace)
{
	(void)replace;
	(void)ctx, (void)prior, (void)config;
	cty_object_set(planned, "function_body", cty_string_new(function_body));
}

/* ---- the cluster's Lambda role ---- */

/* The status of the cluster's IAM role for feature Lambda (malloc'd, ""
 * when AWS gives none), or NULL when it has no such role. */
static char *lambda_role_status(xmlNode *cluster)
{
	xmlNode *roles = aws_xml_find(cluster, "AssociatedRoles");
	for (xmlNode *role = roles ? roles->children : NULL; role; role = role->next) {
		char *feature = role->type == XML_ELEMENT_NODE ? aws_xml_text(role, "FeatureName") : NULL;
		bool lambda = feature && strcmp(feature, "Lambda") == 0;
		free(feature);
		if (lambda) {
			char *status = aws_xml_text(role, "Status");
			return status ? status : strdup("");
		}
	}
	return NULL;
}

/* aws_lambda.invoke fails for every row unless the cluster has an IAM role
 * associated for feature Lambda, so that is checked before anything else. */
static bool cluster_can_invoke_lambda(call_ctx *ctx, const cty_value *planned)
{
	const char *cluster = attr_text(planned, "cluster_identifier");
	query_params q = {0};
	xmlDoc *answer = NULL;
	query_add(&q, "DBClusterIdentifier", cluster);
	aws_outcome found = ctx_query_all(ctx, &aws_rds, "DescribeDBClusters", &q, NULL, "DBClusters", &answer);
	query_free(&q);
	if (found != AWS_DONE)
		return false;
	char *status = lambda_role_status(xmlDocGetRootElement(answer));
	xmlFreeDoc(answer);
	bool active = status && strcmp(status, "ACTIVE") == 0;
	if (status && !active)
		diag_attr_error(ctx->diags, "cluster_identifier", "Lambda role not active",
				"Aurora cluster %s has an IAM role for feature Lambda, but its status is %s, not ACTIVE. "
				"Apply again once the association is complete.",
				cluster, *status ? status : "unknown");
	else if (!status)
		diag_attr_error(ctx->diags, "cluster_identifier", "Aurora cluster cannot invoke Lambda",
				"Aurora cluster %s has no IAM role associated for feature Lambda, so aws_lambda.invoke "
				"would fail. Add one to the cluster's wagtail_aurora_cluster resource:\n\n"
				"  iam_roles {\n"
				"    role_arn     = <a role that rds.amazonaws.com may assume, allowed "
				"lambda:InvokeFunction on %s>\n"
				"    feature_name = \"Lambda\"\n"
				"  }",
				cluster, attr_text(planned, "function_arn"));
	free(status);
	return active;
}

/* ---- names ---- */

/* The parts of a validated resource: schema.table and the trigger name. */
typedef struct {
	char schema[64], table[64], name[64];
} trigger_names;

static trigger_names names_of(const cty_value *o)
{
	trigger_names n;
	const char *table = attr_text(o, "table"), *dot = strchr(table, '.');
	snprintf(n.schema, sizeof n.schema, "%.*s", (int)(dot - table), table);
	snprintf(n.table, sizeof n.table, "%s", dot + 1);
	snprintf(n.name, sizeof n.name, "%s", attr_text(o, "name"));
	return n;
}

/* ---- SQL ---- */

/* "INSERT OR UPDATE": keywords from our table, in its order. */
static void events_sql(const cty_value *chosen, char *out, size_t size)
{
	*out = '\0';
	for (const char *const *e = events; *e; e++)
		if (attr_strings_contain(chosen, *e))
			snprintf(out + strlen(out), size - strlen(out), "%s%s", *out ? " OR " : "", *e);
}

/* The trigger's arguments, each quoted: 'arn', 'Event', 'column', ...
 * malloc'd; NULL when quoting failed (reported). */
static char *arguments_sql(call_ctx *ctx, PGconn *conn, const cty_value *planned)
{
	const cty_value *columns = cty_object_get(planned, "payload_columns");
	char *sql = pg_format(ctx, conn, "%L, %L", attr_text(planned, "function_arn"), attr_text(planned, "invocation_type"));
	for (size_t i = 0; sql && i < cty_length(columns); i++) {
		char *longer = pg_format(ctx, conn, "%s, %L", sql, cty_index(columns, i)->u.str.text);
		free(sql);
		sql = longer;
	}
	return sql;
}

static bool write_function(call_ctx *ctx, PGconn *conn, const trigger_names *n)
{
	return pg_execf(ctx, conn, NULL,
			"CREATE OR REPLACE FUNCTION %I.%I() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER "
			"SET search_path = pg_catalog, pg_temp AS %L",
			n->schema, n->name, function_body);
}

static bool write_trigger(call_ctx *ctx, PGconn *conn, const cty_value *planned, const trigger_names *n)
{
	char on[32];
	char *arguments = arguments_sql(ctx, conn, planned);
	events_sql(cty_object_get(planned, "events"), on, sizeof on);
	bool ok = arguments && pg_execf(ctx, conn, NULL,
					"CREATE TRIGGER %I AFTER %s ON %I.%I FOR EACH ROW EXECUTE FUNCTION %I.%I(%s)",
					n->name, on, n->schema, n->table, n->schema, n->name, arguments);
	free(arguments);
	return ok;
}

/* "schema"."table" and "schema"."name"(), as to_regclass and to_regprocedure take them. */
static bool quoted_names(call_ctx *ctx, PGconn *conn, const trigger_names *n, char **table, char **function)
{
	*table = pg_format(ctx, conn, "%I.%I", n->schema, n->table);
	*function = pg_format(ctx, conn, "%I.%I()", n->schema, n->name);
	if (*table && *function)
		return true;
	free(*table);
	free(*function);
	return false;
}

/* The table exists and has every payload column; else an error naming what lacks. */
static bool table_ready(call_ctx *ctx, PGconn *conn, const cty_value *planned, const char *table)
{
	static const char sql[] =
		"SELECT to_regclass($1) IS NOT NULL, (SELECT json_agg(c) FROM json_array_elements_text($2::json) c"
		" WHERE NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = to_regclass($1)"
		"  AND a.attname = c AND a.attnum > 0 AND NOT a.attisdropped))";
	cJSON *columns = cJSON_CreateArray();
	const cty_value *wanted = cty_object_get(planned, "payload_columns");
	for (size_t i = 0; i < cty_length(wanted); i++)
		cJSON_AddItemToArray(columns, cJSON_CreateString(cty_index(wanted, i)->u.str.text));
	char *columns_json = cJSON_PrintUnformatted(columns);
	const char *params[] = {table, columns_json};
	PGresult *rows = pg_query(ctx, conn, sql, 2, params);
	bool exists = rows && strcmp(PQgetvalue(rows, 0, 0), "t") == 0;
	bool complete = rows && PQgetisnull(rows, 0, 1);
	if (rows && !exists)
		diag_attr_error(ctx->diags, "table", "Table not found", "Database %s has no table %s.", PQdb(conn),
				attr_text(planned, "table"));
	else if (rows && !complete)
		diag_attr_error(ctx->diags, "payload_columns", "Columns not found", "Table %s has no columns %s.",
				attr_text(planned, "table"), PQgetvalue(rows, 0, 1));
	PQclear(rows);
	cJSON_free(columns_json);
	cJSON_Delete(columns);
	return exists && complete;
}

/* The trigger's row, if any: tgtype, tgargs, and the body of its function
 * when that function is ours. */
static PGresult *find_trigger(call_ctx *ctx, PGconn *conn, const trigger_names *n, const char *table,
			      const char *function)
{
	static const char sql[] = "SELECT t.tgtype, t.tgargs, CASE WHEN t.tgfoid = to_regprocedure($3) THEN p.prosrc END"
				  " FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid"
				  " WHERE t.tgrelid = to_regclass($1) AND t.tgname = $2 AND NOT t.tgisinternal";
	const char *params[] = {table, n->name, function};
	return pg_query(ctx, conn, sql, 3, params);
}

/* ---- reading ---- */

/* The events of an AFTER ... FOR EACH ROW trigger; none for another kind,
 * which is not what this resource makes. */
static cty_value *events_of(int type)
{
	cty_value *set = cty_collection_new(&cty_set_of_string);
	bool after_row = (type & TYPE_ROW) && !(type & (TYPE_BEFORE | TYPE_INSTEAD));
	for (size_t i = 0; after_row && events[i]; i++)
		if (type & event_bits[i])
			cty_append(set, cty_string_new(events[i]));
	return set;
}

/* Sets function_arn, invocation_type and payload_columns from tgargs (the
 * arguments, each ended by a NUL byte, as bytea text). */
static void arguments_into(cty_value *state, const char *tgargs)
{
	size_t size = 0, count = 0;
	unsigned char *bytes = PQunescapeBytea((const unsigned char *)tgargs, &size);
	cty_value *columns = cty_collection_new(&cty_list_of_string);
	cty_object_set(state, "function_arn", cty_null(&cty_string));
	cty_object_set(state, "invocation_type", cty_null(&cty_string));
	for (size_t at = 0; bytes && at < size; count++) {
		const char *argument = (const char *)bytes + at;
		size_t len = strnlen(argument, size - at);
		cty_value *value = cty_string_from(argument, len);
		if (count < 2)
			cty_object_set(state, count == 0 ? "function_arn" : "invocation_type", value);
		else
			cty_append(columns, value);
		at += len + 1;
	}
	cty_object_set(state, "payload_columns", cty_length(columns) ? columns : cty_null(&cty_list_of_string));
	if (!cty_length(columns))
		cty_value_free(columns);
	PQfreemem(bytes);
}

static cty_value *read_trigger(call_ctx *ctx, const cty_value *state)
{
	if (!pg_connection_known(state))
		return pg_unread(ctx, &resource_aurora_lambda_trigger, state);
	trigger_names n = names_of(state);
	char *table = NULL, *function = NULL;
	PGconn *conn = pg_connect(ctx, state);
	PGresult *rows = conn && quoted_names(ctx, conn, &n, &table, &function)
				 ? find_trigger(ctx, conn, &n, table, function)
				 : NULL;
	cty_value *fresh = NULL;
	if (rows && PQntuples(rows) == 0) {
		fresh = cty_null(resource_state_type(&resource_aurora_lambda_trigger));
	} else if (rows) {
		fresh = cty_value_clone(state);
		cty_object_set(fresh, "events", events_of(atoi(PQgetvalue(rows, 0, 0))));
		arguments_into(fresh, PQgetvalue(rows, 0, 1));
		cty_object_set(fresh, "function_body", PQgetisnull(rows, 0, 2) ? cty_null(&cty_string)
									 : cty_string_new(PQgetvalue(rows, 0, 2)));
	}
	PQclear(rows);
	free(table);
	free(function);
	PQfinish(conn);
	return fresh;
}

/* ---- writing ---- */

/* Errors unless the table has no trigger of this name yet. */
static bool trigger_absent(call_ctx *ctx, PGconn *conn, const cty_value *planned, const trigger_names *n,
			   const char *table, const char *function)
{
	PGresult *rows = find_trigger(ctx, conn, n, table, function);
	bool absent = rows && PQntuples(rows) == 0;
	if (rows && !absent)
		diag_attr_error(ctx->diags, "name", "Trigger already exists",
				"Table %s already has a trigger %s. To manage it with Terraform, import it: "
				"terraform import <address> '%s/%s'",
				attr_text(planned, "table"), n->name, attr_text(planned, "table"), n->name);
	PQclear(rows);
	return absent;
}

/* The changes of one apply, in one transaction after the extension and
 * the table's checks: a new trigger (create), or a new function body and
 * a re-made trigger, each when asked. */
typedef struct {
	bool creating, function, trigger;
} trigger_changes;

static bool write_all(call_ctx *ctx, PGconn *conn, const cty_value *planned, trigger_changes changes)
{
	trigger_names n = names_of(planned);
	char *table = NULL, *function = NULL;
	if (!quoted_names(ctx, conn, &n, &table, &function))
		return false;
	bool ok = pg_begin_locked(ctx, conn, resource_aurora_lambda_trigger.type_name) &&
		  pg_execf(ctx, conn, NULL, "CREATE EXTENSION IF NOT EXISTS aws_lambda CASCADE") &&
		  table_ready(ctx, conn, planned, table) &&
		  (!changes.creating || trigger_absent(ctx, conn, planned, &n, table, function)) &&
		  (!changes.function || write_function(ctx, conn, &n)) &&
		  (!changes.trigger || changes.creating ||
		   pg_execf(ctx, conn, NULL, "DROP TRIGGER IF EXISTS %I ON %I.%I", n.name, n.schema, n.table)) &&
		  (!changes.trigger || write_trigger(ctx, conn, planned, &n));
	free(table);
	free(function);
	return pg_end(ctx, conn, ok);
}

static bool apply_changes(call_ctx *ctx, const cty_value *planned, trigger_changes changes)
{
	if (!cluster_can_invoke_lambda(ctx, planned))
		return false;
	PGconn *conn = pg_connect(ctx, planned);
	bool ok = conn && write_all(ctx, conn, planned, changes);
	PQfinish(conn);
	return ok;
}

static cty_value *applied(const cty_value *planned)
{
	cty_value *state = cty_value_clone(planned);
	char *id = NULL;
	if (asprintf(&id, "%s/%s", attr_text(planned, "table"), attr_text(planned, "name")) < 0)
		abort();
	cty_object_set(state, "id", cty_string_new(id));
	free(id);
	return state;
}

static cty_value *create_trigger(call_ctx *ctx, const cty_value *planned)
{
	trigger_changes all = {.creating = true, .function = true, .trigger = true};
	return apply_changes(ctx, planned, all) ? applied(planned) : NULL;
}

/* The function body is replaced in place when it differs; the trigger is
 * made again (in the same transaction, so no row goes unseen) when its
 * arguments or events change, or when it ran another function. */
static cty_value *update_trigger(call_ctx *ctx, const cty_value *prior, const cty_value *planned)
{
	static const char *const trigger_fields[] = {"events", "function_arn", "invocation_type", "payload_columns",
						     NULL};
	trigger_changes changes = {.function = attr_differs(prior, planned, "function_body"),
				   .trigger = cty_is_null(cty_object_get(prior, "function_body"))};
	for (const char *const *field = trigger_fields; *field; field++)
		changes.trigger = changes.trigger || attr_differs(prior, planned, *field);
	return apply_changes(ctx, planned, changes) ? applied(planned) : cty_value_clone(prior);
}

/* Drops the function unless another trigger (of the same name, on another
 * table of the schema) still runs it. */
static bool drop_function_unless_used(call_ctx *ctx, PGconn *conn, const trigger_names *n, const char *function)
{
	PGresult *users = pg_query(ctx, conn, "SELECT 1 FROM pg_trigger WHERE tgfoid = to_regprocedure($1)", 1,
				   &function);
	bool ok = users && (PQntuples(users) > 0 ||
			    pg_execf(ctx, conn, NULL, "DROP FUNCTION IF EXISTS %I.%I()", n->schema, n->name));
	PQclear(users);
	return ok;
}

static bool drop_all(call_ctx *ctx, PGconn *conn, const trigger_names *n)
{
	char *table = NULL, *function = NULL;
	if (!quoted_names(ctx, conn, n, &table, &function))
		return false;
	bool ok = pg_begin_locked(ctx, conn, resource_aurora_lambda_trigger.type_name) &&
		  pg_execf(ctx, conn, NULL, "DROP TRIGGER IF EXISTS %I ON %I.%I", n->name, n->schema, n->table) &&
		  drop_function_unless_used(ctx, conn, n, function);
	free(table);
	free(function);
	return pg_end(ctx, conn, ok);
}

/* The extension stays: other triggers and users may need it. */
static bool delete_trigger(call_ctx *ctx, const cty_value *state)
{
	trigger_names n = names_of(state);
	PGconn *conn = pg_connect(ctx, state);
	bool ok = conn && drop_all(ctx, conn, &n);
	PQfinish(conn);
	return ok;
}

/* The import id is schema.table/name. */
static cty_value *import_trigger(call_ctx *ctx, const char *id)
{
	static const attr_check table_check = TABLE_CHECK, name_check = TRIGGER_NAME_CHECK;
	const char *slash = strchr(id, '/');
	char table[160], why[512];
	snprintf(table, sizeof table, "%.*s", slash ? (int)(slash - id) : 0, id);
	if (!slash || !validate_string(&table_check, table, why, sizeof why) ||
	    !validate_string(&name_check, slash + 1, why, sizeof why)) {
		diag_add(ctx->diags, DIAG_ERROR, NULL, "Invalid import id",
			 "\"%s\" is not schema.table/name, e.g. public.wagtailcore_page/purge_cdn.", id);
		return NULL;
	}
	cty_value *state = cty_object_new(resource_state_type(&resource_aurora_lambda_trigger));
	cty_object_set(state, "id", cty_string_new(id));
	cty_object_set(state, "table", cty_string_new(table));
	cty_object_set(state, "name", cty_string_new(slash + 1));
	return state;
}

const resource_def resource_aurora_lambda_trigger = {
	.type_name = "wagtail_aurora_lambda_trigger",
	.schema = {.attributes = attributes,
		   .blocks = blocks,
		   .description = "A row trigger on an Aurora PostgreSQL table that invokes a Lambda function."},
	.timeouts = &timeouts,
	.validate = validate_trigger,
	.plan = plan_trigger,
	.create = create_trigger,
	.read = read_trigger,
	.update = update_trigger,
	.delete = delete_trigger,
	.import = import_trigger,
};
