/* iam_db_user.c: resource wagtail_iam_db_user, a PostgreSQL login role that
 * signs in with IAM authentication tokens (member of rds_iam), its role
 * memberships and privileges on the connection's database, and the
 * rds-db:connect policy that lets an IAM principal log in as it.
 *
 * Create, update and delete each run in one transaction: a failure leaves
 * the database as it was. Update and delete start from what the database
 * holds, not from the state, so grants made or removed by hand are set
 * right too. */
#include "attr.h"
#include "aws_calls.h"
#include "iam_db_connect_policy.h"
#include "pg_connection.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Privileges on a database, as GRANT spells them and aclexplode reports them. */
static const char *const privileges[] = {"CONNECT", "CREATE", "TEMPORARY", NULL};

static const attr_def attributes[] = {
	{"name", &cty_string, ATTR_REQUIRED | ATTR_REPLACE, "The database user: a role with LOGIN.",
	 .check = {CHECK_REGEX, .pattern = "^[^[:cntrl:]*?]+$", .max_length = 63,
		   .expected = "a PostgreSQL name of 1 to 63 bytes without control characters, * or ? (which IAM "
			       "would read as wildcards in the user's rds-db ARN)"}},
	{"grant_rds_iam", &cty_bool, ATTR_OPTIONAL, "Grant rds_iam, so that the user logs in with IAM tokens.",
	 .default_json = "true"},
	{"roles", &cty_set_of_string, ATTR_OPTIONAL, "More roles to grant, e.g. an application's group role.",
	 .default_json = "[]", .check = PG_NAME_CHECK},
	{"database_privileges", &cty_set_of_string, ATTR_OPTIONAL,
	 "Privileges on db_connection.database: CONNECT, CREATE, TEMPORARY.", .default_json = "[]",
	 .check = {CHECK_ENUM, .choices = privileges}},
	{"connection_limit", &cty_number, ATTR_OPTIONAL, "Most concurrent connections; -1 for no limit.",
	 .default_json = "-1", .check = {CHECK_RANGE, .min = -1, .max = INT32_MAX}},
	{"cluster_resource_id", &cty_string, ATTR_OPTIONAL,
	 "The Aurora cluster's resource id (cluster-...), for connect_arn and policy_json.",
	 .check = RDS_DB_CLUSTER_RESOURCE_ID_CHECK},
	{"region", &cty_string, ATTR_OPTIONAL | ATTR_COMPUTED, "Region of the cluster; default the provider's.",
	 .check = RDS_DB_REGION_CHECK},
	{"account_id", &cty_string, ATTR_OPTIONAL | ATTR_COMPUTED,
	 "Account of the cluster; default the provider's.", .check = RDS_DB_ACCOUNT_CHECK},
	{"connect_arn", &cty_string, ATTR_COMPUTED, "The user's rds-db:connect ARN; null without cluster_resource_id."},
	{"policy_json", &cty_string, ATTR_COMPUTED,
	 "IAM policy allowing rds-db:connect as this user; null without cluster_resource_id."},
	{"id", &cty_string, ATTR_COMPUTED, "The user name."},
	{NULL},
};

static const nested_def blocks[] = {
	PG_CONNECTION_NESTED,
	{NULL},
};

static const timeouts_def timeouts = {.create = 600, .read = 300, .update = 600, .delete = 600};

extern const resource_def resource_iam_db_user;

/* ---- validate and plan: no connection ---- */

static void validate_user(call_ctx *ctx, const cty_value *config)
{
	const char *name = attr_text(config, "name");
	const cty_value *roles = cty_object_get(config, "roles");

	pg_connection_validate(config, ctx->diags);
	if (name && (strncmp(name, "pg_", 3) == 0 || strcmp(name, "public") == 0 || strcmp(name, "none") == 0))
		diag_attr_error(ctx->diags, "name", "Reserved role name",
				"PostgreSQL reserves \"%s\": names starting with pg_, public and none are not for roles.",
				name);
	if (attr_strings_contain(roles, "rds_iam"))
		diag_attr_error(ctx->diags, "roles", "rds_iam in roles",
				"rds_iam follows grant_rds_iam (default true); leave it out of roles.");
	if (name && attr_strings_contain(roles, name))
		diag_attr_error(ctx->diags, "roles", "Role granted to itself", "roles holds the user \"%s\" itself.", name);
}

/* connect_arn and policy_json follow from the arguments alone, so the plan
 * shows them: unknown while an input is, null without a cluster. */
static void plan_policy(call_ctx *ctx, cty_value *planned)
{
	static const char *const inputs[] = {"name", "cluster_resource_id", "region", "account_id", NULL};
	for (const char *const *input = inputs; *input; input++) {
		if (cty_is_unknown(cty_object_get(planned, *input))) {
			cty_object_set(planned, "connect_arn", cty_unknown(&cty_string));
			cty_object_set(planned, "policy_json", cty_unknown(&cty_string));
			return;
		}
	}
	const char *cluster = attr_text(planned, "cluster_resource_id"), *account = attr_text(planned, "account_id");
	if (cluster && !account)
		diag_attr_error(ctx->diags, "account_id", "Unknown AWS account id",
				"policy_json needs the cluster's account: set account_id, or let the provider look it up "
				"(it does unless skip_requesting_account_id is set).");
	if (!cluster || !account) {
		cty_object_set(planned, "connect_arn", cty_null(&cty_string));
		cty_object_set(planned, "policy_json", cty_null(&cty_string));
		return;
	}
	char *arn = rds_db_user_arn(attr_text(planned, "region"), account, cluster, attr_text(planned, "name"));
	cty_value *arns = cty_collection_new(&cty_list_of_string);
	cty_append(arns, cty_string_new(arn));
	char *policy = rds_db_connect_policy(arns);
	cty_object_set(planned, "connect_arn", cty_string_new(arn));
	cty_object_set(planned, "policy_json", cty_string_new(policy));
	cty_value_free(arns);
	free(policy);
	free(arn);
}

static void plan_user(call_ctx *ctx, const cty_value *prior, const cty_value *config, cty_value *planned,
                      path_list *replace)
{
	(void)replace;
	const char *account = ctx_account_id(ctx);
	(void)prior;
	if (cty_is_null(cty_object_get(config, "region")))
		cty_object_set(planned, "region", cty_string_new(ctx_region(ctx)));
	if (cty_is_null(cty_object_get(config, "account_id")))
		cty_object_set(planned, "account_id", account ? cty_string_new(account) : cty_null(&cty_string));
	plan_policy(ctx, planned);
}

/* ---- what the database holds, and what the configuration wants ---- */

typedef struct {
	cty_value *memberships; /* set(string) of granted roles, rds_iam among them; owned */
	cty_value *privileges;  /* set(string) on db_connection.database; owned */
	int connection_limit;
} role_grants;

static void grants_free(role_grants *g)
{
	cty_value_free(g->memberships);
	cty_value_free(g->privileges);
}

/* A new role's, and what delete wants: nothing. */
static role_grants no_grants(void)
{
	return (role_grants){cty_collection_new(&cty_set_of_string), cty_collection_new(&cty_set_of_string), -1};
}

static role_grants wanted_grants(const cty_value *planned)
{
	role_grants want = {cty_value_clone(cty_object_get(planned, "roles")),
			    cty_value_clone(cty_object_get(planned, "database_privileges")),
			    (int)attr_long(planned, "connection_limit", -1)};
	if (attr_flag(planned, "grant_rds_iam"))
		cty_append(want.memberships, cty_string_new("rds_iam"));
	return want;
}

/* The role's memberships, direct privileges on this database and
 * connection limit. False when the query failed (reported) or, with *gone
 * set, when there is no such role. */
static bool read_grants(call_ctx *ctx, PGconn *conn, const char *name, role_grants *out, bool *gone)
{
	static const char sql[] =
		"SELECT json_build_object('connection_limit', r.rolconnlimit,"
		" 'memberships', ARRAY(SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
		"  WHERE m.member = r.oid),"
		" 'privileges', ARRAY(SELECT DISTINCT a.privilege_type FROM pg_database d, aclexplode(d.datacl) a"
		"  WHERE d.datname = current_database() AND a.grantee = r.oid))"
		" FROM pg_roles r WHERE r.rolname = $1";
	PGresult *rows = pg_query(ctx, conn, sql, 1, &name);
	*gone = rows && PQntuples(rows) == 0;
	if (!rows || *gone) {
		PQclear(rows);
		return false;
	}
	cJSON *role = cJSON_Parse(PQgetvalue(rows, 0, 0));
	const cJSON *limit = cJSON_GetObjectItemCaseSensitive(role, "connection_limit");
	*out = (role_grants){json_string_set(cJSON_GetObjectItemCaseSensitive(role, "memberships")),
			     json_string_set(cJSON_GetObjectItemCaseSensitive(role, "privileges")),
			     cJSON_IsNumber(limit) ? limit->valueint : -1};
	cJSON_Delete(role);
	PQclear(rows);
	return true;
}

/* Grants and revokes until role `name` has `want` instead of `have`. */
static bool converge(call_ctx *ctx, PGconn *conn, const char *name, const role_grants *have, const role_grants *want)
{
	const char *database = PQdb(conn);
	bool ok = have->connection_limit == want->connection_limit ||
		  pg_execf(ctx, conn, "connection_limit", "ALTER ROLE %I CONNECTION LIMIT %d", name,
			   want->connection_limit);
	for (size_t i = 0; ok && i < cty_length(have->memberships); i++) {
		const char *role = cty_index(have->memberships, i)->u.str.text;
		if (!attr_strings_contain(want->memberships, role))
			ok = pg_execf(ctx, conn, "roles", "REVOKE %I FROM %I", role, name);
	}
	for (size_t i = 0; ok && i < cty_length(want->memberships); i++) {
		const char *role = cty_index(want->memberships, i)->u.str.text;
		if (!attr_strings_contain(have->memberships, role))
			ok = pg_execf(ctx, conn, strcmp(role, "rds_iam") == 0 ? "grant_rds_iam" : "roles", "GRANT %I TO %I",
				      role, name);
	}
	/* Privilege keywords come from our table, never from the input. */
	for (const char *const *p = privileges; ok && *p; p++) {
		bool has = attr_strings_contain(have->privileges, *p), wants = attr_strings_contain(want->privileges, *p);
		if (has && !wants)
			ok = pg_execf(ctx, conn, "database_privileges", "REVOKE %s ON DATABASE %I FROM %I", *p, database,
				      name);
		else if (wants && !has)
			ok = pg_execf(ctx, conn, "database_privileges", "GRANT %s ON DATABASE %I TO %I", *p, database,
				      name);
	}
	return ok;
}

/* ---- handlers ---- */

static bool create_role(call_ctx *ctx, PGconn *conn, const char *name)
{
	PGresult *rows = pg_query(ctx, conn, "SELECT 1 FROM pg_roles WHERE rolname = $1", 1, &name);
	bool exists = rows && PQntuples(rows) > 0;
	PQclear(rows);
	if (exists)
		diag_attr_error(ctx->diags, "name", "Role already exists",
				"The database already has a role \"%s\". To manage it with Terraform, import it: "
				"terraform import <address> '%s'",
				name, name);
	return rows && !exists && pg_execf(ctx, conn, "name", "CREATE ROLE %I LOGIN", name);
}

static cty_value *applied(const cty_value *planned)
{
	cty_value *state = cty_value_clone(planned);
	cty_object_set(state, "id", cty_string_new(attr_text(planned, "name")));
	return state;
}

static cty_value *create_user(call_ctx *ctx, const cty_value *planned)
{
	PGconn *conn = pg_connect(ctx, planned);
	if (!conn)
		return NULL;
	role_grants none = no_grants(), want = wanted_grants(planned);
	const char *name = attr_text(planned, "name");
	bool ok = pg_begin_locked(ctx, conn, resource_iam_db_user.type_name) && create_role(ctx, conn, name) &&
		  converge(ctx, conn, name, &none, &want);
	ok = pg_end(ctx, conn, ok);
	grants_free(&none);
	grants_free(&want);
	PQfinish(conn);
	return ok ? applied(planned) : NULL;
}

static cty_value *read_user(call_ctx *ctx, const cty_value *state)
{
	if (!pg_connection_known(state))
		return pg_unread(ctx, &resource_iam_db_user, state);
	PGconn *conn = pg_connect(ctx, state);
	role_grants have;
	bool gone = false;
	if (!conn)
		return NULL;
	bool found = read_grants(ctx, conn, attr_text(state, "id"), &have, &gone);
	PQfinish(conn);
	if (!found)
		return gone ? cty_null(resource_state_type(&resource_iam_db_user)) : NULL;
	cty_value *fresh = cty_value_clone(state);
	cty_object_set(fresh, "name", cty_string_new(attr_text(state, "id")));
	cty_object_set(fresh, "grant_rds_iam", cty_bool_new(attr_strings_contain(have.memberships, "rds_iam")));
	cty_value *roles = cty_collection_new(&cty_set_of_string);
	for (size_t i = 0; i < cty_length(have.memberships); i++)
		if (strcmp(cty_index(have.memberships, i)->u.str.text, "rds_iam") != 0)
			cty_append(roles, cty_value_clone(cty_index(have.memberships, i)));
	cty_object_set(fresh, "roles", roles);
	cty_object_set(fresh, "database_privileges", cty_value_clone(have.privileges));
	cty_object_set(fresh, "connection_limit", cty_number_from_int(have.connection_limit));
	grants_free(&have);
	return fresh;
}

/* In one transaction, brings the live role from what it holds to `want`,
 * then drops it when `drop`. A role gone by now is an error, except when
 * it was to be dropped anyway. */
static bool converge_live(call_ctx *ctx, const cty_value *resource, const role_grants *want, bool drop)
{
	const char *name = attr_text(resource, "name");
	PGconn *conn = pg_connect(ctx, resource);
	role_grants have = {0};
	bool gone = false;
	if (!conn)
		return false;
	bool ok = pg_begin_locked(ctx, conn, resource_iam_db_user.type_name) &&
		  read_grants(ctx, conn, name, &have, &gone) && converge(ctx, conn, name, &have, want) &&
		  (!drop || pg_execf(ctx, conn, NULL, "DROP ROLE %I", name));
	if (gone && !drop)
		diag_attr_error(ctx->diags, "name", "Role not found",
				"The database has no role \"%s\" any more. Apply again to create it.", name);
	ok = pg_end(ctx, conn, ok) || (gone && drop);
	grants_free(&have);
	PQfinish(conn);
	return ok;
}

static cty_value *update_user(call_ctx *ctx, const cty_value *prior, const cty_value *planned)
{
	role_grants want = wanted_grants(planned);
	bool ok = converge_live(ctx, planned, &want, false);
	grants_free(&want);
	return ok ? applied(planned) : cty_value_clone(prior);
}

/* Revokes what the role holds here (privileges on the database would keep
 * DROP ROLE from running), then drops it. Objects it owns stop the drop,
 * with PostgreSQL's list of them: they are the application's to move. */
static bool delete_user(call_ctx *ctx, const cty_value *state)
{
	role_grants none = no_grants();
	bool ok = converge_live(ctx, state, &none, true);
	grants_free(&none);
	return ok;
}

/* The import id is the user name. */
static cty_value *import_user(call_ctx *ctx, const char *id)
{
	cty_value *state = cty_object_new(resource_state_type(&resource_iam_db_user));
	(void)ctx;
	cty_object_set(state, "id", cty_string_new(id));
	cty_object_set(state, "name", cty_string_new(id));
	return state;
}

const resource_def resource_iam_db_user = {
	.type_name = "wagtail_iam_db_user",
	.schema = {.attributes = attributes,
		   .blocks = blocks,
		   .description = "A PostgreSQL user that logs in with IAM authentication, its grants, and its "
				  "rds-db:connect policy."},
	.timeouts = &timeouts,
	.validate = validate_user,
	.plan = plan_user,
	.create = create_user,
	.read = read_user,
	.update = update_user,
	.delete = delete_user,
	.import = import_user,
};
