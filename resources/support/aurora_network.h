/* aurora_network.h: the DB subnet group and security group that
 * wagtail_aurora_cluster makes for its cluster, and the form RDS keeps
 * identifiers in. */
#ifndef WAGTAIL_AURORA_NETWORK_H
#define WAGTAIL_AURORA_NETWORK_H

#include "aws_calls.h"

#include <stdbool.h>

/* RDS stores identifiers in lower case and answers with that form whatever
 * case they were made with, so the provider sends it: what it reads back is
 * then what it sent. A malloc'd lower-case copy of text ("" for NULL). */
char *rds_identifier(const char *text);

/* Makes the subnet group and the security group (with its ingress rules)
 * that planned asks for, before the cluster: their names go into state's
 * db_subnet_group_name and security_group_id. *made becomes true once any
 * of them exists, so that a failure after it keeps the state (tainted) for
 * destroy to remove. false: failed, with a diagnostic. */
bool aurora_network_create(call_ctx *ctx, const cty_value *planned, cty_value *state, bool *made);

/* The security group's ingress rules again, when allowed_security_groups,
 * allowed_cidr_blocks or the port changed. */
bool aurora_network_update(call_ctx *ctx, const cty_value *prior, const cty_value *planned);

/* Deletes what aurora_network_create made, once the cluster is gone (EC2
 * refuses to delete a group its network interfaces still use: retried). */
bool aurora_network_delete(call_ctx *ctx, const cty_value *state);

#endif
