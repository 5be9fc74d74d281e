/* registry.c: the provider's resources and data sources. Add new ones here. */
#include "resource.h"

extern const resource_def resource_aurora_cluster, resource_ecr_repository, resource_ecs_cluster, resource_ecs_service,
	resource_ssm_parameter;
extern const resource_def resource_iam_policy, resource_iam_role;
extern const resource_def resource_iam_db_user, resource_aurora_lambda_trigger;
extern const resource_def resource_log_group, resource_random_password;
extern const resource_def data_caller_identity, data_iam_db_connect_policy, data_rds_auth_token;

const resource_def *const registry_resources[] = {
	&resource_aurora_cluster,
	&resource_aurora_lambda_trigger,
	&resource_ecr_repository,
	&resource_ecs_cluster,
	&resource_ecs_service,
	&resource_iam_db_user,
	&resource_iam_policy,
	&resource_iam_role,
	&resource_log_group,
	&resource_random_password,
	&resource_ssm_parameter,
	NULL,
};

const resource_def *const registry_data_sources[] = {
	&data_caller_identity,
	&data_iam_db_connect_policy,
	&data_rds_auth_token,
	NULL,
};
