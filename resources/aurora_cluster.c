/* aurora_cluster.c: resource wagtail_aurora_cluster, the Wagtail stack's
 * Aurora PostgreSQL cluster with its instances (a writer and `reader_count`
 * readers spread over availability zones) and, when asked, the DB subnet
 * group and the security group it needs. Arguments mirror the
 * terraform-aws-modules rds-aurora module block of examples/wagtail (through
 * modules/rds-aurora) one to one.
 *
 * RDS and EC2 speak the Query protocol; answers are read from the XML tree. */
#include "attr.h"
#include "aurora_network.h"
#include "fields.h"
#include "ssm_secret.h"
#include "tags.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char *const engines[] = {"aurora-postgresql", "aurora-mysql", NULL};
static const char *const log_types[] = {"postgresql", "audit", "error", "general", "slowquery", "iam-db-auth-error",
					"instance", NULL};

static const attr_def role_attributes[] = {
	{"role_arn", &cty_string, ATTR_REQUIRED, "IAM role ARN.", .check = {CHECK_ARN}},
	{"feature_name", &cty_string, ATTR_OPTIONAL, "Feature the role serves, e.g. Lambda or s3Import."},
	{NULL},
};

static const attr_def scaling_attributes[] = {
	{"min_capacity", &cty_number, ATTR_REQUIRED, "Minimum ACUs.", .check = {CHECK_RANGE, .min = 0, .max = 256}},
	{"max_capacity", &cty_number, ATTR_REQUIRED, "Maximum ACUs.", .check = {CHECK_RANGE, .min = 1, .max = 256}},
	{NULL},
};

static const attr_def attributes[] = {
	{"name", &cty_string, ATTR_REQUIRED | ATTR_REPLACE,
	 "Cluster identifier. RDS stores identifiers in lower case: `id`, the instances and the subnet group "
	 "carry the lower-case form.",
	 .check = {CHECK_REGEX, .pattern = "^[a-zA-Z](-?[a-zA-Z0-9])*$", .max_length = 63,
		   .expected = "a cluster identifier: a letter, then letters, digits and single hyphens, at most 63, "
			       "not ending in a hyphen"}},
	{"engine", &cty_string, ATTR_OPTIONAL | ATTR_REPLACE, "Engine.", .default_json = "\"aurora-postgresql\"",
	 .check = {CHECK_ENUM, .choices = engines}},
	{"engine_version", &cty_string, ATTR_OPTIONAL | ATTR_COMPUTED,
	 "Engine version, e.g. 15.4, or a major version such as 15 that RDS resolves to its default minor "
	 "version. Upgraded in place; with apply_immediately = false in the next maintenance window, until "
	 "which the state keeps the version asked for and engine_version_actual the one running."},
	{"engine_version_actual", &cty_string, ATTR_COMPUTED | ATTR_VOLATILE,
	 "The engine version the cluster runs now (minor version included)."},
	{"instance_class", &cty_string, ATTR_REQUIRED,
	 "Instance class, e.g. db.t3.medium, or db.serverless. With apply_immediately = false a change waits "
	 "for the maintenance window; the state keeps the class asked for meanwhile.",
	 .check = {CHECK_REGEX, .pattern = "^db\\.[a-z0-9]+(\\.[a-z0-9]+)?$", .expected = "an instance class such as db.t3.medium"}},
	{"reader_count", &cty_number, ATTR_OPTIONAL, "Readers besides the writer.", .default_json = "1",
	 .check = {CHECK_RANGE, .min = 0, .max = 15}},
	{"database_name", &cty_string, ATTR_OPTIONAL | ATTR_REPLACE, "Database created with the cluster.",
	 .check = {CHECK_REGEX, .pattern = "^[A-Za-z][A-Za-z0-9_]*$", .max_length = 63,
		   .expected = "a database name"}},
	{"port", &cty_number, ATTR_OPTIONAL, "Port.", .default_json = "5432", .check = {CHECK_RANGE, .min = 1150, .max = 65535}},
	{"master_username", &cty_string, ATTR_REQUIRED | ATTR_REPLACE, "Master user name.",
	 .check = {CHECK_REGEX, .pattern = "^[A-Za-z][A-Za-z0-9_]*$", .max_length = 63,
		   .expected = "a user name: a letter, then letters, digits and _"}},
	{"master_password_wo", &cty_string, ATTR_OPTIONAL | ATTR_SENSITIVE | ATTR_WRITE_ONLY,
	 "Master password, write-only (Terraform 1.11, OpenTofu 1.11 or later): sent to RDS and never kept in "
	 "the state or the plan. 8 to 41 printable ASCII characters but / \" @ and space. Give it with "
	 "master_password_wo_version, and raise that to send a new one."},
	{"master_password_wo_version", &cty_number, ATTR_OPTIONAL,
	 "Any number, raised to send master_password_wo again: RDS then sets the new password."},
	{"master_password_parameter", &cty_string, ATTR_OPTIONAL,
	 "Name or ARN of an SSM SecureString holding the master password, read at create and again whenever "
	 "master_password_wo_version changes (set that to the parameter's version to follow each new value). "
	 "The password is in no state, plan or log, on every CLI.",
	 .check = {CHECK_REGEX, .pattern = "^[^[:space:]]+$", .max_length = 2048,
		   .expected = "a parameter name or ARN, without spaces"}},
	{"master_password", &cty_string, ATTR_OPTIONAL | ATTR_SENSITIVE,
	 "Master password, kept in the state (marked sensitive); prefer master_password_wo or "
	 "master_password_parameter. Or manage_master_user_password."},
	{"manage_master_user_password", &cty_bool, ATTR_OPTIONAL, "Let RDS keep the password in Secrets Manager."},
	{"iam_database_authentication_enabled", &cty_bool, ATTR_OPTIONAL, "IAM database authentication.",
	 .default_json = "false"},
	{"vpc_id", &cty_string, ATTR_OPTIONAL | ATTR_REPLACE, "VPC of the security group made for allowed_* rules."},
	{"subnets", &cty_list_of_string, ATTR_OPTIONAL | ATTR_REPLACE, "Subnets: a DB subnet group is made of them."},
	{"db_subnet_group_name", &cty_string, ATTR_OPTIONAL | ATTR_COMPUTED | ATTR_REPLACE, "Existing DB subnet group."},
	{"allowed_security_groups", &cty_list_of_string, ATTR_OPTIONAL, "Security groups allowed in on port."},
	{"allowed_cidr_blocks", &cty_list_of_string, ATTR_OPTIONAL, "CIDR blocks allowed in on port.",
	 .check = {CHECK_CIDR}},
	{"vpc_security_group_ids", &cty_list_of_string, ATTR_OPTIONAL, "More security groups for the cluster."},
	{"storage_encrypted", &cty_bool, ATTR_OPTIONAL | ATTR_REPLACE, "Encrypt storage.", .default_json = "false"},
	{"kms_key_id", &cty_string, ATTR_OPTIONAL | ATTR_COMPUTED | ATTR_REPLACE, "KMS key for storage encryption."},
	{"apply_immediately", &cty_bool, ATTR_OPTIONAL, "Apply modifications now, not in the maintenance window.",
	 .default_json = "false"},
	{"monitoring_interval", &cty_number, ATTR_OPTIONAL, "Enhanced monitoring seconds: 0, 1, 5, 10, 15, 30 or 60.",
	 .default_json = "0"},
	{"monitoring_role_arn", &cty_string, ATTR_OPTIONAL,
	 "Role for enhanced monitoring; only with a monitoring_interval above 0. A role made in the same apply "
	 "is retried for up to two minutes while IAM propagates it to RDS.", .check = {CHECK_ARN}},
	{"db_parameter_group_name", &cty_string, ATTR_OPTIONAL | ATTR_COMPUTED, "Instance parameter group."},
	{"db_cluster_parameter_group_name", &cty_string, ATTR_OPTIONAL | ATTR_COMPUTED, "Cluster parameter group."},
	{"enabled_cloudwatch_logs_exports", &cty_list_of_string, ATTR_OPTIONAL, "Logs to export, e.g. [\"postgresql\"].",
	 .check = {CHECK_ENUM, .choices = log_types}},
	{"backup_retention_period", &cty_number, ATTR_OPTIONAL, "Days of backups.", .default_json = "1",
	 .check = {CHECK_RANGE, .min = 1, .max = 35}},
	{"preferred_backup_window", &cty_string, ATTR_OPTIONAL | ATTR_COMPUTED, "hh24:mi-hh24:mi, UTC.",
	 .check = {CHECK_REGEX, .pattern = "^[0-2][0-9]:[0-5][0-9]-[0-2][0-9]:[0-5][0-9]$", .expected = "hh24:mi-hh24:mi"}},
	{"deletion_protection", &cty_bool, ATTR_OPTIONAL, "Refuse deletion.", .default_json = "false"},
	{"skip_final_snapshot", &cty_bool, ATTR_OPTIONAL, "Delete without a final snapshot.", .default_json = "false"},
	{"final_snapshot_identifier", &cty_string, ATTR_OPTIONAL, "Name of the final snapshot."},
	{"arn", &cty_string, ATTR_COMPUTED, "Cluster ARN."},
	{"cluster_resource_id", &cty_string, ATTR_COMPUTED, "DbClusterResourceId (cluster-...), for rds-db:connect."},
	{"endpoint", &cty_string, ATTR_COMPUTED, "Writer endpoint."},
	{"reader_endpoint", &cty_string, ATTR_COMPUTED, "Reader endpoint."},
	{"hosted_zone_id", &cty_string, ATTR_COMPUTED, "Route 53 zone of the endpoints."},
	{"instance_ids", &cty_list_of_string, ATTR_COMPUTED, "Instance identifiers, writer first."},
	{"instance_endpoints", &cty_list_of_string, ATTR_COMPUTED, "Instance endpoints, in instance_ids order."},
	{"instance_availability_zones", &cty_list_of_string, ATTR_COMPUTED, "Zones, in instance_ids order."},
	{"security_group_id", &cty_string, ATTR_COMPUTED, "The security group made for allowed_*, if any."},
	{"master_user_secret_arn", &cty_string, ATTR_COMPUTED, "Secrets Manager secret of a managed password."},
	{"id", &cty_string, ATTR_COMPUTED, "The cluster identifier."},
	TAG_ATTRIBUTES,
	{NULL},
};

static const nested_def blocks[] = {
	{"iam_roles", NEST_LIST, &(const block_def){.attributes = role_attributes}},
	{"serverless_v2_scaling", NEST_LIST, &(const block_def){.attributes = scaling_attributes}, .max_items = 1},
	{NULL},
};

static const timeouts_def timeouts = {.create = 7200, .read = 300, .update = 7200, .delete = 7200};

extern const resource_def resource_aurora_cluster;

/* ---- what RDS's and EC2's answers mean ---- */

static const aws_match cluster_gone[] = {{"DBClusterNotFoundFault"}, {NULL}};
static const aws_match instance_gone[] = {{"DBInstanceNotFound"}, {NULL}};

/* Refusals that pass with time:
 * - RDS refuses calls on a cluster or instance in a state that does not
 *   take them (creating, modifying, backing-up, deleting instances);
 * - IAM shows a role made moments ago to RDS only after a few seconds, and
 *   until then RDS answers InvalidParameterValue "IAM role ARN value is
 *   invalid or does not include the required permissions" for a
 *   MonitoringRoleArn or an AddRoleToDBCluster. The AWS provider retries
 *   that for two minutes, its IAM propagation time; after that the role is
 *   wrong, not new. */
#define IAM_PROPAGATION {"InvalidParameterValue", "IAM role ARN value is invalid", 120}
static const aws_match refused_for_now[] = {{"InvalidDBClusterStateFault"}, IAM_PROPAGATION, {NULL}};
static const aws_rules on_cluster = {.gone = cluster_gone, .retry = refused_for_now};
static const aws_rules on_instance = {
	.gone = instance_gone,
	.exists = (const aws_match[]){{"DBInstanceAlreadyExists"}, {NULL}},
	.retry = (const aws_match[]){{"InvalidDBInstanceState"}, {"InvalidDBClusterStateFault"}, IAM_PROPAGATION,
				     {NULL}},
};
/* What a create meets when a cluster of that name exists already. */
static const aws_rules on_cluster_created = {.exists = (const aws_match[]){{"DBClusterAlreadyExistsFault"}, {NULL}}};
/* Removing a role that is no longer there (or whose cluster is not) is
 * what we want. */
static const aws_rules on_role_added = {.retry = refused_for_now};
static const aws_rules on_role_removed = {
	.gone = (const aws_match[]){{"DBClusterRoleNotFound"}, {"DBClusterNotFoundFault"}, {NULL}},
	.retry = refused_for_now,
};

/* ---- validation: what RDS would refuse, refused before any call ---- */

/* CreateDBCluster and ModifyDBCluster take MasterUserPassword of 8 to 41
 * characters (botocore's rds model, in the member's documentation). */
#define PASSWORD_MAX 41

/* The cluster's attributes that RDS keeps as they are. Irregular ones are
 * by hand: the name (lower-cased), the engine version (settled against
 * pending and minor versions), the groups we make, the log exports
 * (changed by difference), the roles, scaling and the instances. */
static const field_def fields[] = {
	{"id", NULL, "DBClusterIdentifier"},
	{"engine", "Engine", "Engine"},
	{"engine_version", "EngineVersion", NULL, "EngineVersion"},
	{"engine_version_actual", NULL, "EngineVersion"},
	{"database_name", "DatabaseName", "DatabaseName"},
	{"port", "Port", "Port", "Port"},
	{"master_username", "MasterUsername", "MasterUsername"},
	{"master_password", "MasterUserPassword", NULL, "MasterUserPassword"},
	{"master_password_wo", "MasterUserPassword"}, /* sent again when its version changes */
	{"manage_master_user_password", NULL, NULL, "ManageMasterUserPassword"},
	{"master_user_secret_arn", NULL, "MasterUserSecret/SecretArn"},
	{"iam_database_authentication_enabled", "EnableIAMDatabaseAuthentication", "IAMDatabaseAuthenticationEnabled",
	 "EnableIAMDatabaseAuthentication"},
	{"db_subnet_group_name", NULL, "DBSubnetGroup"},
	{"storage_encrypted", "StorageEncrypted", "StorageEncrypted"},
	{"kms_key_id", "KmsKeyId", "KmsKeyId"},
	{"db_cluster_parameter_group_name", "DBClusterParameterGroupName", "DBClusterParameterGroup",
	 "DBClusterParameterGroupName"},
	{"enabled_cloudwatch_logs_exports", "EnableCloudwatchLogsExports.member", "EnabledCloudwatchLogsExports"},
	{"backup_retention_period", "BackupRetentionPeriod", "BackupRetentionPeriod", "BackupRetentionPeriod"},
	{"preferred_backup_window", "PreferredBackupWindow", "PreferredBackupWindow", "PreferredBackupWindow"},
	{"deletion_protection", "DeletionProtection", "DeletionProtection", "DeletionProtection"},
	{"arn", NULL, "DBClusterArn"},
	{"cluster_resource_id", NULL, "DbClusterResourceId"},
	{"endpoint", NULL, "Endpoint"},
	{"reader_endpoint", NULL, "ReaderEndpoint"},
	{"hosted_zone_id", NULL, "HostedZoneId"},
	{NULL},
};

/* What each instance carries of the cluster's configuration (RDS takes
 * the monitoring interval and role together: see modify_instances). */
static const field_def instance_fields[] = {
	{"engine", "Engine"},
	{"instance_class", "DBInstanceClass", NULL, "DBInstanceClass"},
	{"monitoring_interval", "MonitoringInterval"},
	{"monitoring_role_arn", "MonitoringRoleArn"},
	{"db_parameter_group_name", "DBParameterGroupName", NULL, "DBParameterGroupName"},
	{NULL},
};

static bool password_ok(const char *password, char *why, size_t size)
{
	size_t len = strlen(password);
	if (len < 8 || len > PASSWORD_MAX) {
		snprintf(why, size, "must be 8 to %d characters long, not %zu", PASSWORD_MAX, len);
		return false;
	}
	for (const char *p = password; *p; p++) {
		if (*p < 33 || *p > 126 || *p == '/' || *p == '"' || *p == '@') {
			snprintf(why, size, "may hold printable ASCII characters except /, \", @ and space");
			return false;
		}
	}
	return true;
}

/* The ways to give the master password, of which exactly one is set. */
static const char *const password_sources[] = {"master_password_wo", "master_password_parameter", "master_password",
					       "manage_master_user_password", NULL};

/* At validate and again at plan: a master_password_wo from an ephemeral
 * resource, or a module's input, is unknown at validate and known at plan. */
static void check_password_sources(call_ctx *ctx, const cty_value *config)
{
	validate_exactly_one(config, password_sources, diag_root(), "Conflicting password settings", "Missing password",
			     "Set master_password_wo (write-only), master_password_parameter (an SSM SecureString the "
			     "provider reads), master_password, or manage_master_user_password = true to let RDS keep "
			     "it in Secrets Manager.",
			     ctx->diags);
}

static void validate_cluster(call_ctx *ctx, const cty_value *config)
{
	const cty_value *password = cty_object_get(config, "master_password");
	const cty_value *write_only = cty_object_get(config, "master_password_wo");
	bool interval_known = cty_is_known(cty_object_get(config, "monitoring_interval"));
	long interval = attr_long(config, "monitoring_interval", 0);
	char why[160];

	check_password_sources(ctx, config);
	/* Without a version a new write-only password could never be sent:
	 * nothing of it is kept to compare. */
	if (!cty_is_null(write_only) && cty_is_null(cty_object_get(config, "master_password_wo_version")))
		diag_attr_error(ctx->diags, "master_password_wo_version", "Missing password version",
				"master_password_wo needs master_password_wo_version (any number, e.g. 1): raise it "
				"to send a new password.");
	if (cty_is_known(password) && !password_ok(password->u.str.text, why, sizeof why))
		diag_attr_error(ctx->diags, "master_password", "Invalid master password", "The password %s.", why);
	if (cty_is_known(write_only) && !password_ok(write_only->u.str.text, why, sizeof why))
		diag_attr_error(ctx->diags, "master_password_wo", "Invalid master password", "The password %s.", why);
	if (interval != 0 && interval != 1 && interval != 5 && interval != 10 && interval != 15 && interval != 30 &&
	    interval != 60)
		diag_attr_error(ctx->diags, "monitoring_interval", "Invalid monitoring interval",
				"Use 0, 1, 5, 10, 15, 30 or 60 seconds, not %ld.", interval);
	if (interval > 0 && !attr_is_set(config, "monitoring_role_arn"))
		diag_attr_error(ctx->diags, "monitoring_role_arn", "Missing monitoring role",
				"Enhanced monitoring (monitoring_interval %ld) needs monitoring_role_arn.", interval);
	/* RDS refuses a MonitoringRoleArn with MonitoringInterval 0. */
	if (interval_known && interval == 0 && cty_is_known(cty_object_get(config, "monitoring_role_arn")))
		diag_attr_error(ctx->diags, "monitoring_role_arn", "Monitoring role without monitoring",
				"monitoring_role_arn needs a monitoring_interval of 1, 5, 10, 15, 30 or 60; RDS refuses "
				"a role with monitoring_interval 0.");
	if ((cty_length(cty_object_get(config, "allowed_security_groups")) ||
	     cty_length(cty_object_get(config, "allowed_cidr_blocks"))) && !attr_is_set(config, "vpc_id"))
		diag_attr_error(ctx->diags, "vpc_id", "Missing VPC",
				"allowed_security_groups and allowed_cidr_blocks make a security group, which needs vpc_id.");
	/* Judged only on known values: at validate, module inputs are unknown. */
	if (cty_is_known(cty_object_get(config, "kms_key_id")) &&
	    cty_is_known(cty_object_get(config, "storage_encrypted")) && !attr_flag(config, "storage_encrypted"))
		diag_attr_error(ctx->diags, "kms_key_id", "KMS key without encryption",
				"kms_key_id needs storage_encrypted = true.");
}

/* ---- Query parameters ---- */

static void add_tags(query_params *q, const cty_value *tags)
{
	for (size_t i = 0; i < cty_length(tags); i++) {
		query_addf(q, tags->u.coll.keys[i], "Tags.Tag.%zu.Key", i + 1);
		query_addf(q, tags->u.coll.items[i]->u.str.text, "Tags.Tag.%zu.Value", i + 1);
	}
}

static void add_scaling(query_params *q, const cty_value *planned)
{
	const cty_value *scaling = cty_index(cty_object_get(planned, "serverless_v2_scaling"), 0);
	query_add_attribute(q, "ServerlessV2ScalingConfiguration.MinCapacity", scaling, "min_capacity");
	query_add_attribute(q, "ServerlessV2ScalingConfiguration.MaxCapacity", scaling, "max_capacity");
}

/* ---- reading ---- */

/* DescribeDBClusters of one cluster, or DescribeDBInstances of its
 * instances (every page). */
static aws_outcome describe(call_ctx *ctx, const char *action, const char *cluster, xmlDoc **answer)
{
	query_params q = {0};
	aws_outcome outcome;
	if (strcmp(action, "DescribeDBClusters") == 0) {
		query_add(&q, "DBClusterIdentifier", cluster);
		outcome = ctx_query_all(ctx, &aws_rds, action, &q, &on_cluster, "DBClusters", answer);
	} else {
		query_add(&q, "Filters.Filter.1.Name", "db-cluster-id");
		query_add(&q, "Filters.Filter.1.Values.Value.1", cluster);
		outcome = ctx_query_all(ctx, &aws_rds, action, &q, &on_cluster, "DBInstances", answer);
	}
	query_free(&q);
	return outcome;
}

/* The cluster element of a DescribeDBClusters answer. */
static xmlNode *cluster_of(xmlDoc *doc)
{
	return doc ? aws_xml_find(xmlDocGetRootElement(doc), "DBCluster") : NULL;
}

/* Distinct zones of the subnets (in subnet order), else the cluster's. */
static cty_value *availability_zones(call_ctx *ctx, const cty_value *state, xmlNode *cluster)
{
	const cty_value *subnets = cty_object_get(state, "subnets");
	cty_value *zones = cty_collection_new(&cty_list_of_string);
	if (!cty_length(subnets)) {
		cty_value *listed = cluster ? xml_text_list(cluster, "AvailabilityZones", "AvailabilityZone") : NULL;
		if (listed) {
			cty_value_free(zones);
			return listed;
		}
		return zones;
	}
	query_params q = {0};
	xmlDoc *answer = NULL;
	query_add_strings(&q, "SubnetId.%zu", subnets);
	ctx_query_as(ctx, &aws_ec2, "DescribeSubnets", &q, NULL, &answer, NULL);
	query_free(&q);
	xmlNode *subnet_set = answer ? aws_xml_find(xmlDocGetRootElement(answer), "subnetSet") : NULL;
	for (xmlNode *item = subnet_set ? subnet_set->children : NULL; item; item = item->next) {
		char *zone = item->type == XML_ELEMENT_NODE ? xml_child_text(item, "availabilityZone") : NULL;
		if (zone && !attr_strings_contain(zones, zone))
			cty_append(zones, cty_string_new(zone));
		free(zone);
	}
	xmlFreeDoc(answer);
	return zones;
}

static void set_text(cty_value *state, const char *name, xmlNode *node, const char *path)
{
	char *value = xml_child_text(node, path);
	cty_object_set(state, name, value ? cty_string_new(value) : cty_null(&cty_string));
	free(value);
}

static void set_number(cty_value *state, const char *name, xmlNode *node, const char *path)
{
	char *value = xml_child_text(node, path);
	cty_value *n = value ? cty_number_from_text(value) : NULL;
	cty_object_set(state, name, n ? n : cty_null(&cty_number));
	free(value);
}

/* An empty list AWS reports for an argument the user left unset stays null. */
static void set_list(cty_value *state, const char *name, cty_value *list)
{
	if (cty_length(list) == 0 && cty_is_null(cty_object_get(state, name))) {
		cty_value_free(list);
		return;
	}
	cty_object_set(state, name, list);
}

/* A value AWS will take on later: the state keeps what prior asked for
 * while AWS runs `now` and either holds `pending` equal to it (a change
 * waiting for the maintenance window, PendingModifiedValues) or runs a
 * version that `asked` names by its prefix (engine version "15" runs as
 * "15.4"). Otherwise AWS's value. */
static cty_value *settled_value(const cty_value *prior, const char *name, const char *now, const char *pending,
				bool by_prefix)
{
	const char *asked = attr_text(prior, name);
	size_t len = asked ? strlen(asked) : 0;
	if (asked && pending && strcmp(asked, pending) == 0)
		return cty_string_new(asked);
	if (asked && now && by_prefix && strncmp(now, asked, len) == 0 && now[len] == '.')
		return cty_string_new(asked);
	return now ? cty_string_new(now) : cty_null(&cty_string);
}

static cty_value *roles_of(xmlNode *cluster, const cty_type *type)
{
	cty_value *roles = cty_collection_new(type);
	xmlNode *container = aws_xml_find(cluster, "AssociatedRoles");
	for (xmlNode *role = container ? container->children : NULL; role; role = role->next) {
		if (role->type != XML_ELEMENT_NODE)
			continue;
		cty_value *item = cty_object_new(type->elem);
		set_text(item, "role_arn", role, "RoleArn");
		set_text(item, "feature_name", role, "FeatureName");
		cty_append(roles, item);
	}
	return roles;
}

/* Security groups of the cluster other than the one this resource made. */
static cty_value *extra_security_groups(xmlNode *cluster, const char *own)
{
	cty_value *extra = cty_collection_new(&cty_list_of_string);
	xmlNode *container = aws_xml_find(cluster, "VpcSecurityGroups");
	for (xmlNode *m = container ? container->children : NULL; m; m = m->next) {
		char *id = m->type == XML_ELEMENT_NODE ? xml_child_text(m, "VpcSecurityGroupId") : NULL;
		if (id && !(own && strcmp(id, own) == 0))
			cty_append(extra, cty_string_new(id));
		free(id);
	}
	return extra;
}

/* The writer's identifier from the cluster's members; malloc'd or NULL. */
static char *writer_of(xmlNode *cluster)
{
	xmlNode *members = aws_xml_find(cluster, "DBClusterMembers");
	for (xmlNode *m = members ? members->children : NULL; m; m = m->next) {
		char *is_writer = m->type == XML_ELEMENT_NODE ? xml_child_text(m, "IsClusterWriter") : NULL;
		bool writer = is_writer && strcmp(is_writer, "true") == 0;
		free(is_writer);
		if (writer)
			return xml_child_text(m, "DBInstanceIdentifier");
	}
	return NULL;
}

/* What the writer reports: class (or the class waiting for the
 * maintenance window), parameter group, monitoring. */
static void writer_into(cty_value *state, const cty_value *prior, xmlNode *db)
{
	char *class_now = xml_child_text(db, "DBInstanceClass");
	char *class_pending = xml_child_text(db, "PendingModifiedValues/DBInstanceClass");
	cty_object_set(state, "instance_class", settled_value(prior, "instance_class", class_now, class_pending, false));
	free(class_now);
	free(class_pending);
	char *group = xml_child_text(db, "DBParameterGroups/DBParameterGroup/DBParameterGroupName");
	if (group)
		cty_object_set(state, "db_parameter_group_name", cty_string_new(group));
	free(group);
	char *interval = xml_child_text(db, "MonitoringInterval");
	if (interval) /* moto does not report it: keep ours then */
		set_number(state, "monitoring_interval", db, "MonitoringInterval");
	free(interval);
	char *role = xml_child_text(db, "MonitoringRoleArn");
	if (role)
		cty_object_set(state, "monitoring_role_arn", cty_string_new(role));
	else if (!cty_is_null(cty_object_get(state, "monitoring_interval")) &&
		 strcmp(cty_object_get(state, "monitoring_interval")->u.str.text, "0") == 0)
		cty_object_set(state, "monitoring_role_arn", cty_null(&cty_string));
	free(role);
}

/* Instances, writer first then by identifier: fills the instance_* lists,
 * reader_count and, from the writer, what writer_into reads. */
static void instances_into(cty_value *state, const cty_value *prior, xmlDoc *instances, xmlNode *cluster)
{
	cty_value *ids = cty_collection_new(&cty_list_of_string), *endpoints = cty_collection_new(&cty_list_of_string);
	cty_value *zones = cty_collection_new(&cty_list_of_string);
	xmlNode *list = instances ? aws_xml_find(xmlDocGetRootElement(instances), "DBInstances") : NULL;
	char *writer = writer_of(cluster);

	for (int pass = 0; pass < 2; pass++) { /* the writer, then the readers */
		for (xmlNode *db = list ? list->children : NULL; db; db = db->next) {
			char *id = db->type == XML_ELEMENT_NODE ? xml_child_text(db, "DBInstanceIdentifier") : NULL;
			bool is_writer = id && writer && strcmp(id, writer) == 0;
			if (id && is_writer == (pass == 0)) {
				char *address = xml_child_text(db, "Endpoint/Address");
				char *zone = xml_child_text(db, "AvailabilityZone");
				cty_append(ids, cty_string_new(id));
				cty_append(endpoints, address ? cty_string_new(address) : cty_null(&cty_string));
				cty_append(zones, zone ? cty_string_new(zone) : cty_null(&cty_string));
				if (is_writer)
					writer_into(state, prior, db);
				free(address);
				free(zone);
			}
			free(id);
		}
	}
	if (cty_length(ids))
		cty_object_set(state, "reader_count", cty_number_from_int((int64_t)cty_length(ids) - 1));
	cty_object_set(state, "instance_ids", ids);
	cty_object_set(state, "instance_endpoints", endpoints);
	cty_object_set(state, "instance_availability_zones", zones);
	free(writer);
}

static cty_value *scaling_of(const cty_value *state, xmlNode *cluster)
{
	const cty_type *list_type = cty_object_get(state, "serverless_v2_scaling")->type;
	xmlNode *config = aws_xml_find(cluster, "ServerlessV2ScalingConfiguration");
	cty_value *list = cty_collection_new(list_type);
	if (!config) /* empty, as Terraform has a block left out: not null */
		return list;
	cty_value *item = cty_object_new(list_type->elem);
	set_number(item, "min_capacity", config, "MinCapacity");
	set_number(item, "max_capacity", config, "MaxCapacity");
	cty_append(list, item);
	return list;
}

/* The user's spelling of the name while it denotes the cluster RDS
 * reports (RDS answers in lower case). */
static cty_value *name_value(const cty_value *prior, xmlNode *cluster)
{
	char *reported = xml_child_text(cluster, "DBClusterIdentifier");
	const char *mine = attr_text(prior, "name");
	cty_value *name = mine && reported && strcasecmp(mine, reported) == 0 ? cty_string_new(mine)
			  : reported				       ? cty_string_new(reported)
								       : cty_null(&cty_string);
	free(reported);
	return name;
}

/* The state: prior (for what AWS does not report: the password, the
 * allowed_* rules, delete options) overwritten by what AWS reports. */
static cty_value *cluster_state(call_ctx *ctx, const cty_value *prior, xmlNode *cluster, xmlDoc *instances)
{
	cty_value *state = cty_value_clone(prior);
	fields_xml_read(fields, cluster, state);
	cty_object_set(state, "name", name_value(prior, cluster));
	char *version = xml_child_text(cluster, "EngineVersion");
	char *pending = xml_child_text(cluster, "PendingModifiedValues/EngineVersion");
	cty_object_set(state, "engine_version", settled_value(prior, "engine_version", version, pending, true));
	free(version);
	free(pending);
	set_list(state, "vpc_security_group_ids", extra_security_groups(cluster, attr_text(prior, "security_group_id")));
	set_list(state, "iam_roles", roles_of(cluster, cty_object_get(state, "iam_roles")->type));
	cty_object_set(state, "serverless_v2_scaling", scaling_of(state, cluster));
	instances_into(state, prior, instances, cluster);
	static const char *const defaults_false[] = {"apply_immediately", "skip_final_snapshot", NULL};
	for (const char *const *name = defaults_false; *name; name++) /* after import */
		if (cty_is_null(cty_object_get(state, *name)))
			cty_object_set(state, *name, cty_bool_new(false));
	if (cty_is_null(cty_object_get(state, "monitoring_interval")))
		cty_object_set(state, "monitoring_interval", cty_number_from_int(0));
	tags_read(ctx, prior, state, xml_tags(cluster, "TagList"));
	return state;
}

/* The cluster as AWS has it; a null value when it is gone; NULL on error. */
static cty_value *read_cluster(call_ctx *ctx, const cty_value *state)
{
	char *id = rds_identifier(attr_text(state, "id") ? attr_text(state, "id") : attr_text(state, "name"));
	xmlDoc *clusters = NULL, *instances = NULL;
	cty_value *fresh = NULL;
	aws_outcome found = describe(ctx, "DescribeDBClusters", id, &clusters);
	if (found == AWS_GONE)
		fresh = cty_null(resource_state_type(&resource_aurora_cluster));
	else if (found == AWS_DONE && describe(ctx, "DescribeDBInstances", id, &instances) == AWS_DONE)
		fresh = cluster_state(ctx, state, cluster_of(clusters), instances);
	xmlFreeDoc(clusters);
	xmlFreeDoc(instances);
	free(id);
	return fresh;
}

/* ---- waiting ---- */

/* Cluster states, from the AWS provider's RDS cluster waiters: the states
 * a cluster passes through while it is made or changed, and those it may
 * be in when a delete begins. Two words are ours: "associating-roles"
 * (available, but an IAM role association is still PENDING) and
 * "pending-modifications" (available, but a change asked to apply
 * immediately still sits in PendingModifiedValues: RDS has not begun it). */
#define CLUSTER_BUSY_STATES                                                                                     \
	"backing-up", "configuring-iam-database-auth", "configuring-enhanced-monitoring", "creating", "migrating", \
		"modifying", "preparing-data-migration", "promoting", "rebooting", "renaming",                      \
		"resetting-master-credentials", "scaling-compute", "scaling-storage", "upgrading"

typedef struct {
	const char *id;
	bool settle_pending; /* PendingModifiedValues must empty (apply_immediately) */
} cluster_subject;

static bool has_pending_values(xmlNode *node)
{
	xmlNode *pending = aws_xml_find(node, "PendingModifiedValues");
	for (xmlNode *c = pending ? pending->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return true;
	return false;
}

/* A role association not yet ACTIVE: "associating-roles" while PENDING,
 * else the role's own status (INVALID: the role does not let RDS in). */
static bool roles_settled(xmlNode *cluster, wait_status *status)
{
	xmlNode *roles = aws_xml_find(cluster, "AssociatedRoles");
	for (xmlNode *role = roles ? roles->children : NULL; role; role = role->next) {
		char *state = role->type == XML_ELEMENT_NODE ? xml_child_text(role, "Status") : NULL;
		bool active = !state || strcmp(state, "ACTIVE") == 0;
		if (!active) {
			char *arn = xml_child_text(role, "RoleArn");
			wait_status_set(status, strcmp(state, "PENDING") == 0 ? "associating-roles" : state);
			snprintf(status->reason, sizeof status->reason, "role %s is %s", arn ? arn : "?", state);
			free(arn);
		}
		free(state);
		if (!active)
			return false;
	}
	return true;
}

static bool cluster_status(call_ctx *ctx, const void *subject, wait_status *status)
{
	const cluster_subject *c = subject;
	xmlDoc *doc = NULL;
	aws_outcome found = describe(ctx, "DescribeDBClusters", c->id, &doc);
	if (found == AWS_FAILED)
		return false;
	xmlNode *cluster = cluster_of(doc);
	char *state = found == AWS_GONE ? NULL : xml_child_text(cluster, "Status");
	wait_status_set(status, found == AWS_GONE ? WAIT_GONE : state ? state : "unknown");
	if (state && strcmp(state, "available") == 0 && roles_settled(cluster, status) && c->settle_pending &&
	    has_pending_values(cluster))
		wait_status_set(status, "pending-modifications");
	free(state);
	xmlFreeDoc(doc);
	return true;
}

static const waiter_def cluster_available = {
	.what = "Aurora cluster",
	.pending = STATES(CLUSTER_BUSY_STATES, "associating-roles", "pending-modifications"),
	.target = STATES("available"),
	.read = cluster_status,
};

static const waiter_def cluster_deleted = {
	.what = "Aurora cluster",
	.pending = STATES("available", "backing-up", "deleting", "modifying", "promoting", "scaling-compute",
			  "associating-roles", "pending-modifications"),
	.target = STATES(WAIT_GONE),
	.read = cluster_status,
};

/* The cluster's instances as one status: the first that is not
 * available (settle_pending: or that still holds PendingModifiedValues),
 * else "available"; WAIT_GONE when it has none left. */
static bool instances_status(call_ctx *ctx, const void *subject, wait_status *status)
{
	const cluster_subject *c = subject;
	xmlDoc *doc = NULL;
	aws_outcome found = describe(ctx, "DescribeDBInstances", c->id, &doc);
	if (found == AWS_FAILED)
		return false;
	xmlNode *list = doc ? aws_xml_find(xmlDocGetRootElement(doc), "DBInstances") : NULL;
	wait_status_set(status, WAIT_GONE);
	for (xmlNode *db = list ? list->children : NULL; db; db = db->next) {
		if (db->type != XML_ELEMENT_NODE)
			continue;
		char *state = xml_child_text(db, "DBInstanceStatus"), *id = xml_child_text(db, "DBInstanceIdentifier");
		bool ready = state && strcmp(state, "available") == 0;
		if (ready && c->settle_pending && has_pending_values(db)) {
			free(state);
			state = strdup("pending-modifications");
			ready = false;
		}
		if (!ready || strcmp(status->state, WAIT_GONE) == 0) {
			wait_status_set(status, state ? state : "unknown");
			snprintf(status->reason, sizeof status->reason, "instance %s", id ? id : "?");
		}
		free(state);
		free(id);
		if (!ready)
			break;
	}
	xmlFreeDoc(doc);
	return true;
}

/* Instance states, from the AWS provider's cluster instance waiters. */
#define INSTANCE_BUSY_STATES                                                                                      \
	"backing-up", "configuring-enhanced-monitoring", "configuring-iam-database-auth", "configuring-log-exports", \
		"creating", "maintenance", "modifying", "moving-to-vpc", "rebooting", "renaming",                     \
		"resetting-master-credentials", "starting", "storage-optimization", "upgrading"

/* A reader being removed counts as busy: the update is done once it is gone. */
static const waiter_def instances_available = {
	.what = "Aurora cluster",
	.pending = STATES(INSTANCE_BUSY_STATES, "deleting", "pending-modifications"),
	.target = STATES("available", WAIT_GONE),
	.read = instances_status,
};

static const waiter_def instances_deleted = {
	.what = "Aurora cluster",
	.pending = STATES(INSTANCE_BUSY_STATES, "available", "deleting", "pending-modifications"),
	.target = STATES(WAIT_GONE),
	.read = instances_status,
};

/* The cluster and its instances settled: available, roles ACTIVE, and
 * with settle_pending no modification left pending. */
static bool wait_settled(call_ctx *ctx, const char *id, bool settle_pending)
{
	const cluster_subject subject = {id, settle_pending};
	return ctx_wait_until(ctx, &cluster_available, &subject, id) &&
	       ctx_wait_until(ctx, &instances_available, &subject, id) &&
	       ctx_wait_until(ctx, &cluster_available, &subject, id);
}

/* ---- the cluster and its instances ---- */

/* The master password in master_password_parameter's SecureString,
 * malloc'd (free with ssm_secret_free); NULL, reported, when it cannot be
 * read. */
static char *password_from_parameter(call_ctx *ctx, const cty_value *planned)
{
	diag_path at = diag_path_attr(diag_root(), "master_password_parameter");
	return ssm_secret_get(ctx, attr_text(planned, "master_password_parameter"), &at);
}

/* password: the one read from master_password_parameter, or NULL. */
static create_outcome create_db_cluster(call_ctx *ctx, const cty_value *planned, const cty_value *state,
					const char *id, const char *password)
{
	query_params q = {0};
	query_add(&q, "DBClusterIdentifier", id);
	if (password)
		query_add(&q, "MasterUserPassword", password);
	fields_query_create(fields, planned, &q);
	if (attr_flag(planned, "manage_master_user_password"))
		query_add(&q, "ManageMasterUserPassword", "true");
	query_add_attribute(&q, "DBSubnetGroupName", state, "db_subnet_group_name");
	query_add_strings(&q, "VpcSecurityGroupIds.VpcSecurityGroupId.%zu", cty_object_get(planned, "vpc_security_group_ids"));
	if (attr_text(state, "security_group_id"))
		query_addf(&q, attr_text(state, "security_group_id"), "VpcSecurityGroupIds.VpcSecurityGroupId.%zu",
			   cty_length(cty_object_get(planned, "vpc_security_group_ids")) + 1);
	add_scaling(&q, planned);
	add_tags(&q, cty_object_get(planned, "tags_all"));
	aws_error err = {0};
	aws_outcome made = ctx_query_as(ctx, &aws_rds, "CreateDBCluster", &q, NULL, NULL, &err);
	query_free(&q);
	/* An attempt whose answer was lost may have made the cluster. */
	return made == AWS_DONE ? CREATE_MADE
				: ctx_create_outcome(ctx, &resource_aurora_cluster, state, id, &err, &on_cluster_created);
}

static char *instance_name(const char *cluster, long index)
{
	char *name = NULL;
	if (asprintf(&name, "%s-%ld", cluster, index + 1) < 0)
		abort();
	return name;
}

/* Instance `index` (0 is the writer) in zone index mod zones, so writer and
 * readers land in different zones; readers get promotion tier 1, the
 * writer 0, so failover promotes a reader. */
static bool create_instance(call_ctx *ctx, const cty_value *planned, const char *cluster, long index,
			    const cty_value *zones)
{
	query_params q = {0};
	char *name = instance_name(cluster, index);
	query_add(&q, "DBInstanceIdentifier", name);
	query_add(&q, "DBClusterIdentifier", cluster);
	fields_query_create(instance_fields, planned, &q);
	if (cty_length(zones))
		query_add(&q, "AvailabilityZone", cty_index(zones, (size_t)index % cty_length(zones))->u.str.text);
	query_add(&q, "PromotionTier", index == 0 ? "0" : "1");
	add_tags(&q, cty_object_get(planned, "tags_all"));
	free(name);
	/* When an attempt's answer was lost and the retry finds the instance,
	 * that attempt made it. */
	aws_error err = {0};
	aws_outcome outcome = ctx_query_as(ctx, &aws_rds, "CreateDBInstance", &q, &on_instance, NULL, &err);
	bool made = outcome == AWS_DONE || (outcome == AWS_EXISTS && err.maybe_applied);
	if (!made)
		aws_error_report(&err, ctx->diags, NULL);
	aws_error_clear(&err);
	query_free(&q);
	return made;
}

static bool create_instances(call_ctx *ctx, const cty_value *planned, const char *cluster, long from, long to,
			     const cty_value *zones)
{
	for (long i = from; i < to; i++)
		if (!create_instance(ctx, planned, cluster, i, zones))
			return false;
	return true;
}

/* RDS refuses to delete an instance while it is being made or changed:
 * retried (on_instance) until the deadline. */
static bool delete_instance(call_ctx *ctx, const char *name)
{
	query_params q = {0};
	query_add(&q, "DBInstanceIdentifier", name);
	query_add(&q, "SkipFinalSnapshot", "true");
	return ctx_query_send_take(ctx, &aws_rds, "DeleteDBInstance", &q, &on_instance) != AWS_FAILED;
}

static bool role_change(call_ctx *ctx, const char *action, const char *cluster, const cty_value *role)
{
	query_params q = {0};
	query_add(&q, "DBClusterIdentifier", cluster);
	query_add_attribute(&q, "RoleArn", role, "role_arn");
	query_add_attribute(&q, "FeatureName", role, "feature_name");
	const aws_rules *rules = strcmp(action, "RemoveRoleFromDBCluster") == 0 ? &on_role_removed : &on_role_added;
	return ctx_query_send_take(ctx, &aws_rds, action, &q, rules) != AWS_FAILED;
}

static bool role_listed(const cty_value *roles, const cty_value *role)
{
	for (size_t i = 0; i < cty_length(roles); i++)
		if (cty_value_equal(cty_index(roles, i), role))
			return true;
	return false;
}

/* Associates roles in `after` but not `before`, and removes the others. RDS
 * takes role changes only while the cluster is available and handles one
 * association at a time, so each waits for the cluster to settle. */
static bool sync_roles(call_ctx *ctx, const char *cluster, const cty_value *before, const cty_value *after)
{
	const cluster_subject subject = {cluster, false};
	bool ok = true;
	for (size_t i = 0; ok && i < cty_length(before); i++)
		if (!role_listed(after, cty_index(before, i)))
			ok = ctx_wait_until(ctx, &cluster_available, &subject, cluster) &&
			     role_change(ctx, "RemoveRoleFromDBCluster", cluster, cty_index(before, i));
	for (size_t i = 0; ok && i < cty_length(after); i++)
		if (!role_listed(before, cty_index(after, i)))
			ok = ctx_wait_until(ctx, &cluster_available, &subject, cluster) &&
			     role_change(ctx, "AddRoleToDBCluster", cluster, cty_index(after, i));
	return ok;
}

/* ---- create ---- */

/* Creates the pieces in order: subnet group, security group, the cluster;
 * once it is available (RDS takes neither roles nor instances before),
 * its roles and instances; then waits for all of it to settle. Whatever
 * was made before a failure stays in the returned state (Terraform marks
 * it tainted) so destroy can remove it; only when nothing was made is
 * there no state. */
static cty_value *create_cluster(call_ctx *ctx, const cty_value *planned)
{
	cty_value *state = cty_value_clone(planned);
	char *id = rds_identifier(attr_text(planned, "name"));
	const cluster_subject subject = {id, false};
	bool made = false;
	char *password = NULL;

	/* Read before anything is made: a parameter that cannot be read leaves
	 * nothing behind. */
	if (attr_text(planned, "master_password_parameter") && !(password = password_from_parameter(ctx, planned)))
		goto failed;
	cty_object_set(state, "id", cty_string_new(id));
	if (!aurora_network_create(ctx, planned, state, &made))
		goto failed;
	create_outcome cluster = create_db_cluster(ctx, planned, state, id, password);
	ssm_secret_free(password);
	password = NULL;
	made = made || cluster != CREATE_NONE;
	if (cluster != CREATE_MADE || !ctx_wait_until(ctx, &cluster_available, &subject, id))
		goto failed;
	if (!sync_roles(ctx, id, NULL, cty_object_get(planned, "iam_roles")))
		goto failed;
	xmlDoc *described = NULL;
	if (!cty_length(cty_object_get(planned, "subnets")))
		describe(ctx, "DescribeDBClusters", id, &described);
	cty_value *zones = availability_zones(ctx, state, cluster_of(described));
	xmlFreeDoc(described);
	bool instances_made = create_instances(ctx, planned, id, 0, attr_long(planned, "reader_count", 1) + 1, zones);
	cty_value_free(zones);
	if (!instances_made || !wait_settled(ctx, id, false))
		goto failed;
	cty_value *fresh = read_cluster(ctx, state);
	if (cty_is_known(fresh)) {
		cty_value_free(state);
		free(id);
		return fresh;
	}
	cty_value_free(fresh);
failed:
	ssm_secret_free(password);
	free(id);
	if (made)
		return state;
	cty_value_free(state);
	return NULL;
}

/* ---- update ---- */

/* Log types in `a` and not in `b`, as Name.member.N parameters. */
static void add_log_difference(query_params *q, const char *prefix, const cty_value *a, const cty_value *b)
{
	size_t n = 0;
	for (size_t i = 0; i < cty_length(a); i++) {
		const char *log = cty_index(a, i)->u.str.text;
		if (!attr_strings_contain(b, log))
			query_addf(q, log, "%s.member.%zu", prefix, ++n);
	}
}

static bool modify_db_cluster(call_ctx *ctx, const char *id, const cty_value *prior, const cty_value *planned)
{
	query_params q = {0};
	query_add(&q, "DBClusterIdentifier", id);
	fields_query_update(fields, prior, planned, &q);
	if (attr_differs(prior, planned, "engine_version"))
		query_add(&q, "AllowMajorVersionUpgrade", "true");
	/* The state holds no write-only password: its version says when. */
	if (attr_differs(prior, planned, "master_password_wo_version")) {
		query_add_attribute(&q, "MasterUserPassword", planned, "master_password_wo");
		if (attr_text(planned, "master_password_parameter")) {
			char *password = password_from_parameter(ctx, planned);
			if (!password) {
				query_free(&q);
				return false;
			}
			query_add(&q, "MasterUserPassword", password);
			ssm_secret_free(password);
		}
	}
	if (attr_differs(prior, planned, "vpc_security_group_ids")) {
		const cty_value *ids = cty_object_get(planned, "vpc_security_group_ids");
		query_add_strings(&q, "VpcSecurityGroupIds.VpcSecurityGroupId.%zu", ids);
		if (attr_text(prior, "security_group_id"))
			query_addf(&q, attr_text(prior, "security_group_id"), "VpcSecurityGroupIds.VpcSecurityGroupId.%zu",
				   cty_length(ids) + 1);
	}
	add_log_difference(&q, "CloudwatchLogsExportConfiguration.EnableLogTypes",
			   cty_object_get(planned, "enabled_cloudwatch_logs_exports"),
			   cty_object_get(prior, "enabled_cloudwatch_logs_exports"));
	add_log_difference(&q, "CloudwatchLogsExportConfiguration.DisableLogTypes",
			   cty_object_get(prior, "enabled_cloudwatch_logs_exports"),
			   cty_object_get(planned, "enabled_cloudwatch_logs_exports"));
	if (attr_differs(prior, planned, "serverless_v2_scaling"))
		add_scaling(&q, planned);
	if (q.count == 1) { /* nothing but the identifier: no call */
		query_free(&q);
		return true;
	}
	query_add(&q, "ApplyImmediately", attr_flag(planned, "apply_immediately") ? "true" : "false");
	return ctx_query_send_take(ctx, &aws_rds, "ModifyDBCluster", &q, &on_cluster) != AWS_FAILED;
}

/* What each instance carries of the configuration: class, parameter
 * group and enhanced monitoring. */
static bool modify_instances(call_ctx *ctx, const cty_value *prior, const cty_value *planned)
{
	static const char *const carried[] = {"instance_class", "db_parameter_group_name", "monitoring_interval",
					      "monitoring_role_arn", NULL};
	bool changed = false;
	for (const char *const *name = carried; *name; name++)
		changed = changed || attr_differs(prior, planned, *name);
	if (!changed)
		return true;
	const cty_value *ids = cty_object_get(prior, "instance_ids");
	for (size_t i = 0; i < cty_length(ids); i++) {
		query_params q = {0};
		query_add(&q, "DBInstanceIdentifier", cty_index(ids, i)->u.str.text);
		fields_query_update(instance_fields, prior, planned, &q);
		/* RDS takes the interval and the role together. */
		if (attr_differs(prior, planned, "monitoring_interval") || attr_differs(prior, planned, "monitoring_role_arn")) {
			query_add_attribute(&q, "MonitoringInterval", planned, "monitoring_interval");
			query_add_attribute(&q, "MonitoringRoleArn", planned, "monitoring_role_arn");
		}
		query_add(&q, "ApplyImmediately", attr_flag(planned, "apply_immediately") ? "true" : "false");
		if (ctx_query_send_take(ctx, &aws_rds, "ModifyDBInstance", &q, &on_instance) == AWS_FAILED)
			return false;
	}
	return true;
}

/* Adds readers at the next indexes, or removes the last ones. */
static bool resize(call_ctx *ctx, const char *id, const cty_value *prior, const cty_value *planned)
{
	const cty_value *ids = cty_object_get(prior, "instance_ids");
	long have = (long)cty_length(ids), want = attr_long(planned, "reader_count", 1) + 1;
	for (long i = have - 1; i >= want; i--)
		if (!delete_instance(ctx, cty_index(ids, (size_t)i)->u.str.text))
			return false;
	if (want <= have)
		return true;
	cty_value *zones = cty_collection_new(&cty_list_of_string);
	const cty_value *current = cty_object_get(prior, "instance_availability_zones");
	for (size_t i = 0; i < cty_length(current); i++) /* the zones in use, in turn */
		if (cty_is_known(cty_index(current, i)) && !attr_strings_contain(zones, cty_index(current, i)->u.str.text))
			cty_append(zones, cty_value_clone(cty_index(current, i)));
	bool ok = create_instances(ctx, planned, id, have, want, zones);
	cty_value_free(zones);
	return ok;
}

static bool update_tags(call_ctx *ctx, const cty_value *prior, const cty_value *planned)
{
	cty_value *removed, *changed;
	bool ok = true;
	tags_diff(cty_object_get(prior, "tags_all"), cty_object_get(planned, "tags_all"), &removed, &changed);
	if (cty_length(removed)) {
		query_params q = {0};
		query_add_attribute(&q, "ResourceName", prior, "arn");
		for (size_t i = 0; i < cty_length(removed); i++)
			query_addf(&q, removed->u.coll.keys[i], "TagKeys.member.%zu", i + 1);
		ok = ctx_query_send_take(ctx, &aws_rds, "RemoveTagsFromResource", &q, NULL) == AWS_DONE;
	}
	if (ok && cty_length(changed)) {
		query_params q = {0};
		query_add_attribute(&q, "ResourceName", prior, "arn");
		add_tags(&q, changed);
		ok = ctx_query_send_take(ctx, &aws_rds, "AddTagsToResource", &q, NULL) == AWS_DONE;
	}
	cty_value_free(removed);
	cty_value_free(changed);
	return ok;
}

/* RDS takes a modification only while the cluster is available; with
 * apply_immediately the change then sits in PendingModifiedValues for a
 * moment before the status turns to modifying, so the wait after it lasts
 * until nothing is pending. Without apply_immediately class and engine
 * changes wait for the maintenance window and the state keeps what was
 * asked (settled_value). */
static cty_value *update_cluster(call_ctx *ctx, const cty_value *prior, const cty_value *planned)
{
	char *id = rds_identifier(attr_text(prior, "id"));
	const cluster_subject subject = {id, false};
	bool ok = ctx_wait_until(ctx, &cluster_available, &subject, id) && modify_db_cluster(ctx, id, prior, planned) &&
		  aurora_network_update(ctx, prior, planned) &&
		  sync_roles(ctx, id, cty_object_get(prior, "iam_roles"), cty_object_get(planned, "iam_roles")) &&
		  modify_instances(ctx, prior, planned) && resize(ctx, id, prior, planned) &&
		  update_tags(ctx, prior, planned);
	if (ok)
		wait_settled(ctx, id, attr_flag(planned, "apply_immediately"));
	free(id);
	/* Success or not, AWS now holds the truth; keep what only we know. */
	cty_value *fresh = read_cluster(ctx, planned);
	if (cty_is_known(fresh))
		return fresh;
	cty_value_free(fresh);
	return cty_value_clone(prior);
}

/* The instance lists change with the number or class of instances. */
static void plan_cluster(call_ctx *ctx, const cty_value *prior, const cty_value *config, cty_value *planned,
                         path_list *replace)
{
	(void)replace;
	static const char *const lists[] = {"instance_ids", "instance_endpoints", "instance_availability_zones", NULL};
	check_password_sources(ctx, config);
	if (cty_is_null(prior) || !attr_differs(prior, planned, "reader_count"))
		return;
	for (const char *const *name = lists; *name; name++)
		cty_object_set(planned, *name, cty_unknown(&cty_list_of_string));
}

/* ---- delete ---- */

/* The final snapshot's name: the configured one, else <cluster>-final-
 * <UTC time>, so that a cluster of the same name made and destroyed again
 * does not meet DBClusterSnapshotAlreadyExistsFault for the first one's
 * snapshot. malloc'd. */
static char *final_snapshot_name(const cty_value *state, const char *id)
{
	char *name = NULL, stamp[32];
	if (attr_text(state, "final_snapshot_identifier"))
		return rds_identifier(attr_text(state, "final_snapshot_identifier"));
	time_t now = time(NULL);
	struct tm utc;
	gmtime_r(&now, &utc);
	strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", &utc);
	if (asprintf(&name, "%s-final-%s", id, stamp) < 0)
		abort();
	return name;
}

/* Instances first (RDS refuses to delete a cluster that has any), each
 * delete retried while the instance is still being made; then the cluster,
 * retried while it is busy; then what was made around it. */
static bool delete_cluster(call_ctx *ctx, const cty_value *state)
{
	char *id = rds_identifier(attr_text(state, "id"));
	const cluster_subject subject = {id, false};
	xmlDoc *instances = NULL;
	bool ok = true;

	if (attr_flag(state, "deletion_protection")) {
		diag_attr_error(ctx->diags, "deletion_protection", "Deletion protection is on",
				"Cluster %s was not deleted. Set deletion_protection = false and apply first.", id);
		ok = false;
	}
	aws_outcome listed = ok ? describe(ctx, "DescribeDBInstances", id, &instances) : AWS_FAILED;
	ok = listed != AWS_FAILED;
	xmlNode *list = instances ? aws_xml_find(xmlDocGetRootElement(instances), "DBInstances") : NULL;
	for (xmlNode *db = list ? list->children : NULL; ok && db; db = db->next) {
		char *instance = db->type == XML_ELEMENT_NODE ? xml_child_text(db, "DBInstanceIdentifier") : NULL;
		if (instance)
			ok = delete_instance(ctx, instance);
		free(instance);
	}
	xmlFreeDoc(instances);
	ok = ok && ctx_wait_until(ctx, &instances_deleted, &subject, id);
	if (ok) {
		query_params q = {0};
		query_add(&q, "DBClusterIdentifier", id);
		if (attr_flag(state, "skip_final_snapshot")) {
			query_add(&q, "SkipFinalSnapshot", "true");
		} else {
			char *snapshot = final_snapshot_name(state, id);
			query_add(&q, "FinalDBSnapshotIdentifier", snapshot);
			free(snapshot);
		}
		ok = ctx_query_send_take(ctx, &aws_rds, "DeleteDBCluster", &q, &on_cluster) != AWS_FAILED &&
		     ctx_wait_until(ctx, &cluster_deleted, &subject, id);
	}
	ok = ok && aurora_network_delete(ctx, state);
	free(id);
	return ok;
}

const resource_def resource_aurora_cluster = {
	.type_name = "wagtail_aurora_cluster",
	.schema = {.attributes = attributes,
		   .blocks = blocks,
		   .description = "An Aurora PostgreSQL cluster with a writer and readers over availability zones."},
	.fields = fields,
	.timeouts = &timeouts,
	.validate = validate_cluster,
	.plan = plan_cluster,
	.create = create_cluster,
	.read = read_cluster,
	.update = update_cluster,
	.delete = delete_cluster,
};
