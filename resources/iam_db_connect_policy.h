/* iam_db_connect_policy.h: the rds-db:connect policy of IAM database users,
 * made in iam_db_connect_policy.c for its data source
 * wagtail_iam_db_connect_policy and for resource wagtail_iam_db_user.
 *
 * A user's ARN is arn:PARTITION:rds-db:REGION:ACCOUNT:dbuser:CLUSTER_RESOURCE_ID/USER,
 * PARTITION being the region's (aws, aws-cn, aws-us-gov), where the
 * cluster is named by its resource id (cluster-...), not by its
 * identifier: the checks below refuse the identifier with that advice. */
#ifndef WAGTAIL_IAM_DB_CONNECT_POLICY_H
#define WAGTAIL_IAM_DB_CONNECT_POLICY_H

#include "resource.h"

#define RDS_DB_REGION_CHECK \
	{CHECK_REGEX, .pattern = "^[a-z]{2}(-[a-z]+)+-[0-9]+$", .expected = "an AWS region such as eu-west-1"}
#define RDS_DB_ACCOUNT_CHECK \
	{CHECK_REGEX, .pattern = "^[0-9]{12}$", .expected = "a 12-digit AWS account id"}
#define RDS_DB_CLUSTER_RESOURCE_ID_CHECK                                                                       \
	{CHECK_REGEX, .pattern = "^cluster-[A-Z0-9]{26}$",                                                     \
	 .expected = "a cluster resource id: \"cluster-\" followed by 26 upper-case letters or digits "        \
		     "(the DbClusterResourceId, not the cluster identifier)"}

/* The rds-db:connect ARN of one database user, in the partition of the
 * cluster's region; malloc'd. */
char *rds_db_user_arn(const char *region, const char *account_id, const char *cluster_resource_id,
		      const char *user);

/* The policy document allowing rds-db:connect on each ARN of a known
 * list(string), as compact JSON; malloc'd. */
char *rds_db_connect_policy(const cty_value *arns);

#endif
