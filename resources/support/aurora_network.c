/* aurora_network.c: the DB subnet group and the security group that
 * wagtail_aurora_cluster makes for its cluster when asked (subnets without
 * db_subnet_group_name; allowed_security_groups or allowed_cidr_blocks),
 * each named after the cluster: <name>-subnets and <name>-db. RDS and EC2
 * speak the Query protocol. */
#include "aurora_network.h"

#include "attr.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The "exists" codes are what a create meets when one of that name exists
 * already (the wire code of RDS's DBSubnetGroupAlreadyExistsFault is
 * DBSubnetGroupAlreadyExists). */
static const aws_rules on_subnet_group = {
	.gone = (const aws_match[]){{"DBSubnetGroupNotFoundFault"}, {NULL}},
	.exists = (const aws_match[]){{"DBSubnetGroupAlreadyExists"}, {NULL}},
};
/* A security group stays in use while the cluster's network interfaces go. */
static const aws_rules on_security_group = {
	.gone = (const aws_match[]){{"InvalidGroup.NotFound"}, {NULL}},
	.retry = (const aws_match[]){{"DependencyViolation"}, {NULL}},
};
static const aws_rules on_group_created = {.exists = (const aws_match[]){{"InvalidGroup.Duplicate"}, {NULL}}};
/* Ingress rules already there (or already gone) are what we want. */
static const aws_rules on_ingress_authorized = {.exists = (const aws_match[]){{"InvalidPermission.Duplicate"}, {NULL}}};
static const aws_rules on_ingress_revoked = {.gone = (const aws_match[]){{"InvalidPermission.NotFound"}, {NULL}}};

char *rds_identifier(const char *text)
{
	char *copy = strdup(text ? text : "");
	if (!copy)
		abort();
	for (char *c = copy; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return copy;
}

static char *own_name(const cty_value *o, const char *suffix)
{
	char *name = NULL, *lower = rds_identifier(attr_text(o, "name"));
	if (asprintf(&name, "%s-%s", lower, suffix) < 0)
		abort();
	free(lower);
	return name;
}

static bool wants_subnet_group(const cty_value *planned)
{
	return cty_length(cty_object_get(planned, "subnets")) > 0 && !attr_text(planned, "db_subnet_group_name");
}

static bool wants_security_group(const cty_value *o)
{
	return cty_length(cty_object_get(o, "allowed_security_groups")) > 0 ||
	       cty_length(cty_object_get(o, "allowed_cidr_blocks")) > 0;
}

/* The group is named after the cluster, so one that exists already is ours,
 * left behind when the cluster was deleted outside Terraform: adopt it
 * with the subnets asked for now. */
static bool create_subnet_group(call_ctx *ctx, cty_value *state)
{
	query_params q = {0};
	aws_error err = {0};
	char *name = own_name(state, "subnets");
	query_add(&q, "DBSubnetGroupName", name);
	query_add(&q, "DBSubnetGroupDescription", "Subnets of Aurora cluster (wagtail provider)");
	query_add_strings(&q, "SubnetIds.SubnetIdentifier.%zu", cty_object_get(state, "subnets"));
	aws_outcome made = ctx_query_as(ctx, &aws_rds, "CreateDBSubnetGroup", &q, &on_subnet_group, NULL, &err);
	bool ok = made == AWS_DONE;
	if (made == AWS_EXISTS) {
		query_params modify = {0};
		query_add(&modify, "DBSubnetGroupName", name);
		query_add_strings(&modify, "SubnetIds.SubnetIdentifier.%zu", cty_object_get(state, "subnets"));
		ok = ctx_query_send_take(ctx, &aws_rds, "ModifyDBSubnetGroup", &modify, NULL) == AWS_DONE;
	} else if (!ok) {
		aws_error_report(&err, ctx->diags, "subnets");
	}
	if (ok)
		cty_object_set(state, "db_subnet_group_name", cty_string_new(name));
	aws_error_clear(&err);
	query_free(&q);
	free(name);
	return ok;
}

/* Ingress on the cluster port from the allowed groups and blocks. */
static bool authorize_ingress(call_ctx *ctx, const char *action, const char *group_id, const cty_value *rules)
{
	query_params q = {0};
	const cty_value *groups = cty_object_get(rules, "allowed_security_groups");
	const cty_value *cidrs = cty_object_get(rules, "allowed_cidr_blocks");
	char port[16];
	if (!cty_length(groups) && !cty_length(cidrs))
		return true;
	snprintf(port, sizeof port, "%ld", attr_long(rules, "port", 5432));
	query_add(&q, "GroupId", group_id);
	query_add(&q, "IpPermissions.1.IpProtocol", "tcp");
	query_add(&q, "IpPermissions.1.FromPort", port);
	query_add(&q, "IpPermissions.1.ToPort", port);
	query_add_strings(&q, "IpPermissions.1.Groups.%zu.GroupId", groups);
	query_add_strings(&q, "IpPermissions.1.IpRanges.%zu.CidrIp", cidrs);
	const aws_rules *settled = strncmp(action, "Authorize", 9) == 0 ? &on_ingress_authorized : &on_ingress_revoked;
	return ctx_query_send_take(ctx, &aws_ec2, action, &q, settled) != AWS_FAILED;
}

/* The id of our group by its name, when a cluster deleted outside
 * Terraform left it behind; malloc'd or NULL. */
static char *existing_group_id(call_ctx *ctx, const cty_value *state, const char *name)
{
	query_params q = {0};
	xmlDoc *answer = NULL;
	query_add(&q, "Filter.1.Name", "group-name");
	query_add(&q, "Filter.1.Value.1", name);
	query_add(&q, "Filter.2.Name", "vpc-id");
	query_add_attribute(&q, "Filter.2.Value.1", state, "vpc_id");
	ctx_query_as(ctx, &aws_ec2, "DescribeSecurityGroups", &q, NULL, &answer, NULL);
	query_free(&q);
	char *group_id = answer ? aws_xml_text(xmlDocGetRootElement(answer), "securityGroupInfo/item/groupId") : NULL;
	xmlFreeDoc(answer);
	return group_id;
}

/* A new security group keeps EC2's default egress rule (all traffic), which
 * covers the outbound HTTPS Aurora needs to invoke Lambda. One of that name
 * existing already is ours (see create_subnet_group) and is adopted. */
static bool create_security_group(call_ctx *ctx, cty_value *state)
{
	query_params q = {0};
	aws_error err = {0};
	xmlDoc *answer = NULL;
	char *name = own_name(state, "db");
	query_add(&q, "GroupName", name);
	query_add(&q, "GroupDescription", "Access to Aurora cluster (wagtail provider)");
	query_add_attribute(&q, "VpcId", state, "vpc_id");
	bool duplicate =
		ctx_query_as(ctx, &aws_ec2, "CreateSecurityGroup", &q, &on_group_created, &answer, &err) == AWS_EXISTS;
	query_free(&q);
	char *group_id = answer ? aws_xml_text(xmlDocGetRootElement(answer), "groupId") : NULL;
	if (!answer && !duplicate)
		aws_error_report(&err, ctx->diags, "allowed_security_groups");
	/* When an attempt's answer was lost, the group may exist all the same:
	 * it goes into the state (with the error, tainted), not astray. */
	if (duplicate || (!answer && err.maybe_applied))
		group_id = existing_group_id(ctx, state, name);
	if (!answer && !duplicate && group_id) {
		cty_object_set(state, "security_group_id", cty_string_new(group_id));
		free(group_id);
		group_id = NULL;
	}
	aws_error_clear(&err);
	xmlFreeDoc(answer);
	free(name);
	if (!group_id)
		return false;
	cty_object_set(state, "security_group_id", cty_string_new(group_id));
	bool ok = authorize_ingress(ctx, "AuthorizeSecurityGroupIngress", group_id, state);
	free(group_id);
	return ok;
}

bool aurora_network_create(call_ctx *ctx, const cty_value *planned, cty_value *state, bool *made)
{
	cty_object_set(state, "security_group_id", cty_null(&cty_string));
	if (wants_subnet_group(planned) && !(*made = create_subnet_group(ctx, state)))
		return false;
	if (!wants_security_group(planned))
		return true;
	bool group_made = create_security_group(ctx, state);
	/* A group made before a failure (its rules refused, say) is ours. */
	*made = *made || attr_text(state, "security_group_id") != NULL;
	return group_made;
}

bool aurora_network_update(call_ctx *ctx, const cty_value *prior, const cty_value *planned)
{
	const char *group = attr_text(prior, "security_group_id");
	if (!group || (!attr_differs(prior, planned, "allowed_security_groups") &&
		       !attr_differs(prior, planned, "allowed_cidr_blocks") && !attr_differs(prior, planned, "port")))
		return true;
	return authorize_ingress(ctx, "RevokeSecurityGroupIngress", group, prior) &&
	       authorize_ingress(ctx, "AuthorizeSecurityGroupIngress", group, planned);
}

bool aurora_network_delete(call_ctx *ctx, const cty_value *state)
{
	char *own_subnets = own_name(state, "subnets");
	const char *subnet_group = attr_text(state, "db_subnet_group_name");
	bool ok = true;
	if (attr_text(state, "security_group_id")) {
		query_params g = {0};
		query_add(&g, "GroupId", attr_text(state, "security_group_id"));
		ok = ctx_query_send_take(ctx, &aws_ec2, "DeleteSecurityGroup", &g, &on_security_group) != AWS_FAILED;
	}
	/* A subnet group the user named is theirs, not ours to delete. */
	if (ok && subnet_group && strcmp(subnet_group, own_subnets) == 0) {
		query_params g = {0};
		query_add(&g, "DBSubnetGroupName", own_subnets);
		ok = ctx_query_send_take(ctx, &aws_rds, "DeleteDBSubnetGroup", &g, &on_subnet_group) != AWS_FAILED;
	}
	free(own_subnets);
	return ok;
}
