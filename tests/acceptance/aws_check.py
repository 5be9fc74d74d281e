"""aws_check.py: the AWS side of the acceptance tests, read with boto3 from the
same moto server the provider talks to.

    aws_check.py ENDPOINT KEY SECRET COMMAND ARGS...

Commands print nothing and exit 0 when the check holds; otherwise they print
what they found and exit 1. Mutating commands (delete-cluster, put-parameter,
create-repository) change AWS behind Terraform's back, for drift and import."""
import json
import sys
import urllib.request

import boto3

endpoint, key, secret, command, *args = sys.argv[1:]
session = boto3.session.Session(aws_access_key_id=key, aws_secret_access_key=secret, region_name="eu-west-1")


def client(service):
    return session.client(service, endpoint_url=endpoint)


# Every DescribeServices and DescribeClusters asks for tags, as the provider
# does: moto keeps "leave tags out of the answer" in a dict shared by all its
# request threads, so one call without TAGS made while the provider's call
# is being answered strips the tags from the provider's answer (seen as a
# service's tags vanishing between two plans in the fault matrix).
ECS_TAGS = ["TAGS"]


def fail(message, found=None):
    print(message)
    if found is not None:
        print(json.dumps(found, default=str, indent=1)[:3000])
    sys.exit(1)


def expect_equal(what, got, want):
    if got != want:
        fail(f"{what}: got {got!r}, want {want!r}")


def cluster(name, insights, tags_json):
    found = client("ecs").describe_clusters(clusters=[name], include=["SETTINGS", *ECS_TAGS])["clusters"]
    if not found or found[0]["status"] != "ACTIVE":
        fail(f"cluster {name} is not ACTIVE", found)
    settings = {s["name"]: s["value"] for s in found[0].get("settings", [])}
    expect_equal("containerInsights", settings.get("containerInsights"), insights)
    expect_equal("cluster tags", {t["key"]: t["value"] for t in found[0].get("tags", [])}, json.loads(tags_json))


def cluster_gone(name):
    found = client("ecs").describe_clusters(clusters=[name], include=ECS_TAGS)["clusters"]
    if found and found[0]["status"] != "INACTIVE":
        fail(f"cluster {name} still exists", found)


def parameter(name, value, type_, tags_json):
    ssm = client("ssm")
    got = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]
    expect_equal("value", got["Value"], value)
    expect_equal("type", got["Type"], type_)
    tags = ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=name)["TagList"]
    expect_equal("parameter tags", {t["Key"]: t["Value"] for t in tags}, json.loads(tags_json))


def new_user_key(user):
    """Makes IAM user `user`, allowed everything as the tests' own user is,
    and prints an access key of it: its id and secret."""
    iam = client("iam")
    iam.create_user(UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="everything", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    print(key["AccessKeyId"], key["SecretAccessKey"])


def parameter_holds(name, value):
    got = client("ssm").get_parameter(Name=name, WithDecryption=True)["Parameter"]
    expect_equal("value", got["Value"], value)


def parameter_tier(name, tier, version):
    """The tier AWS reports for the parameter (DescribeParameters; "any" to
    skip) and its version (a parameter made anew starts again at 1)."""
    found = client("ssm").describe_parameters(
        ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [name]}])["Parameters"]
    if len(found) != 1:
        fail(f"parameter {name}: DescribeParameters lists {len(found)}", found)
    if tier != "any":
        expect_equal("parameter tier", found[0].get("Tier"), tier)
    expect_equal("parameter version", found[0].get("Version"), int(version))


def parameter_gone(name):
    try:
        client("ssm").get_parameter(Name=name)
    except client("ssm").exceptions.ParameterNotFound:
        return
    fail(f"parameter {name} still exists")


def repository(name, mutability, scan):
    repo = client("ecr").describe_repositories(repositoryNames=[name])["repositories"][0]
    expect_equal("imageTagMutability", repo["imageTagMutability"], mutability)
    expect_equal("scanOnPush", repo["imageScanningConfiguration"]["scanOnPush"], scan == "true")


def repository_gone(name):
    try:
        client("ecr").describe_repositories(repositoryNames=[name])
    except client("ecr").exceptions.RepositoryNotFoundException:
        return
    fail(f"repository {name} still exists")


def delete_cluster(name):
    client("ecs").delete_cluster(cluster=name)


def put_parameter(name, value):
    client("ssm").put_parameter(Name=name, Value=value, Type="SecureString", Overwrite=True)


def create_parameter(name, value, type_="String"):
    client("ssm").put_parameter(Name=name, Value=value, Type=type_)


def create_repository(name):
    client("ecr").create_repository(repositoryName=name)


# ---- Aurora (RDS, EC2, IAM) ----

def default_network():
    """Prints the default VPC id and its first subnet in each of two zones."""
    ec2 = client("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    by_zone = {}
    for subnet in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]:
        by_zone.setdefault(subnet["AvailabilityZone"], subnet["SubnetId"])
    zones = sorted(by_zone)[:2]
    print(vpc, by_zone[zones[0]], by_zone[zones[1]])


def create_security_group(name, vpc):
    print(client("ec2").create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"])


def create_role(name):
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "rds.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    print(client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(policy))["Role"]["Arn"])


def aurora(name, want_json):
    """The cluster's settings match want (a JSON object of DescribeDBClusters fields)."""
    found = client("rds").describe_db_clusters(DBClusterIdentifier=name)["DBClusters"][0]
    for key, value in json.loads(want_json).items():
        got = found.get(key)
        if key == "AssociatedRoles":
            got = [{"RoleArn": r["RoleArn"], "FeatureName": r.get("FeatureName")} for r in got or []]
        if key == "TagList":
            got = {t["Key"]: t["Value"] for t in got or []}
        expect_equal(key, got, value)


def aurora_instances(name, count, zones):
    """The cluster has `count` instances spread over at least `zones` zones, one writer."""
    found = client("rds").describe_db_instances(
        Filters=[{"Name": "db-cluster-id", "Values": [name]}])["DBInstances"]
    expect_equal("instance count", len(found), int(count))
    spread = {i["AvailabilityZone"] for i in found}
    if len(spread) < int(zones):
        fail(f"instances in zones {sorted(spread)}, want at least {zones} zones", found)
    members = client("rds").describe_db_clusters(DBClusterIdentifier=name)["DBClusters"][0]["DBClusterMembers"]
    expect_equal("writers", sum(1 for m in members if m["IsClusterWriter"]), 1)


def aurora_instance_class(name, want):
    """Every instance of the cluster runs the class `want` (what AWS runs now,
    not what waits for the maintenance window)."""
    found = client("rds").describe_db_instances(
        Filters=[{"Name": "db-cluster-id", "Values": [name]}])["DBInstances"]
    if not found:
        fail(f"cluster {name} has no instances", found)
    for instance in found:
        expect_equal(f"class of {instance['DBInstanceIdentifier']}", instance["DBInstanceClass"], want)


def ingress(group_id, port, source_group, cidr):
    rules = client("ec2").describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]["IpPermissions"]
    on_port = [r for r in rules if r.get("FromPort") == int(port) and r.get("ToPort") == int(port)]
    groups = {g["GroupId"] for r in on_port for g in r.get("UserIdGroupPairs", [])}
    cidrs = {c["CidrIp"] for r in on_port for c in r.get("IpRanges", [])}
    if source_group not in groups or cidr not in cidrs:
        fail(f"ingress on {port} from {source_group} and {cidr} missing", rules)


def egress_https(group_id):
    """Aurora reaches Lambda over HTTPS: the group lets TCP 443 out."""
    rules = client("ec2").describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]["IpPermissionsEgress"]
    for r in rules:
        everything = r.get("IpProtocol") == "-1"
        https = r.get("IpProtocol") == "tcp" and r.get("FromPort", 0) <= 443 <= r.get("ToPort", 0)
        if (everything or https) and any(c["CidrIp"] == "0.0.0.0/0" for c in r.get("IpRanges", [])):
            return
    fail("no egress rule lets HTTPS out", rules)


def aurora_gone(name):
    try:
        found = client("rds").describe_db_clusters(DBClusterIdentifier=name)["DBClusters"]
    except client("rds").exceptions.DBClusterNotFoundFault:
        return
    fail(f"cluster {name} still exists", found)


def security_group_gone(group_id):
    try:
        client("ec2").describe_security_groups(GroupIds=[group_id])
    except Exception as e:  # botocore ClientError InvalidGroup.NotFound
        if "InvalidGroup.NotFound" in str(e):
            return
        raise
    fail(f"security group {group_id} still exists")


def subnet_group_gone(name):
    try:
        client("rds").describe_db_subnet_groups(DBSubnetGroupName=name)
    except client("rds").exceptions.DBSubnetGroupNotFoundFault:
        return
    fail(f"DB subnet group {name} still exists")


def set_backup_retention(name, days):
    client("rds").modify_db_cluster(DBClusterIdentifier=name, BackupRetentionPeriod=int(days), ApplyImmediately=True)


def delete_aurora(name):
    """Deletes a cluster and its instances behind Terraform's back."""
    rds = client("rds")
    for member in rds.describe_db_clusters(DBClusterIdentifier=name)["DBClusters"][0]["DBClusterMembers"]:
        rds.delete_db_instance(DBInstanceIdentifier=member["DBInstanceIdentifier"], SkipFinalSnapshot=True)
    rds.delete_db_cluster(DBClusterIdentifier=name, SkipFinalSnapshot=True)
    # AWS deletes a cluster's automated snapshots with it; moto keeps them,
    # and their names (rds:<cluster>-<minute>) would collide with those of
    # a cluster of the same name made again within the minute.
    for snap in rds.describe_db_cluster_snapshots(DBClusterIdentifier=name)["DBClusterSnapshots"]:
        if snap["DBClusterSnapshotIdentifier"].startswith("rds:"):
            rds.delete_db_cluster_snapshot(DBClusterSnapshotIdentifier=snap["DBClusterSnapshotIdentifier"])


def create_aurora(name):
    rds = client("rds")
    rds.create_db_cluster(DBClusterIdentifier=name, Engine="aurora-postgresql", EngineVersion="15.4",
                          MasterUsername="wagtail", MasterUserPassword="imported-pass-1")
    rds.create_db_instance(DBInstanceIdentifier=name + "-1", DBClusterIdentifier=name, Engine="aurora-postgresql",
                           DBInstanceClass="db.r6g.large")


def associate_role(cluster_name, role_arn, feature):
    """Associates an IAM role with an Aurora cluster for a feature (wagtail_aurora_lambda_trigger checks Lambda)."""
    client("rds").add_role_to_db_cluster(DBClusterIdentifier=cluster_name, RoleArn=role_arn, FeatureName=feature)


# ---- IAM (wagtail_iam_role, wagtail_iam_policy) ----

def iam_document(document):
    """A policy document as boto3 gives it: already parsed, or JSON text."""
    return json.loads(document) if isinstance(document, str) else document


def as_list(value):
    return value if isinstance(value, list) else [value]


def iam_statements(document):
    return as_list(iam_document(document)["Statement"])


def iam_actions(document):
    return sorted(a for s in iam_statements(document) for a in as_list(s.get("Action", [])))


def iam_trusted_services(document):
    return sorted(service for s in iam_statements(document)
                  if s.get("Effect") == "Allow" and "sts:AssumeRole" in as_list(s.get("Action", []))
                  for service in as_list(s.get("Principal", {}).get("Service", [])))


def iam_tags(entity):
    return {t["Key"]: t["Value"] for t in entity.get("Tags", [])}


def iam_role(name, want_json):
    """The role matches want, a JSON object of: Path, Description, MaxSessionDuration, PermissionsBoundary,
    Tags, TrustedServices, Attached (policy ARNs), Inline ({policy name: its actions})."""
    iam = client("iam")
    role = iam.get_role(RoleName=name)["Role"]
    got = {
        "Path": role["Path"], "Description": role.get("Description"),
        "MaxSessionDuration": role["MaxSessionDuration"],
        "PermissionsBoundary": role.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn"),
        "Tags": iam_tags(role), "TrustedServices": iam_trusted_services(role["AssumeRolePolicyDocument"]),
        "Attached": sorted(p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]),
        "Inline": {p: iam_actions(iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"])
                   for p in iam.list_role_policies(RoleName=name)["PolicyNames"]},
    }
    for key, value in json.loads(want_json).items():
        expect_equal(key, got[key], value)


def iam_role_gone(name):
    iam = client("iam")
    try:
        iam.get_role(RoleName=name)
    except iam.exceptions.NoSuchEntityException:
        return
    fail(f"role {name} still exists")


def iam_policy(arn, want_json):
    """The policy matches want, a JSON object of: Path, Description, Tags, DefaultVersionId, Versions (ids,
    oldest first), DefaultActions (the default version's actions)."""
    iam = client("iam")
    policy = iam.get_policy(PolicyArn=arn)["Policy"]
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    default = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
    got = {
        "Path": policy["Path"], "Description": policy.get("Description"), "Tags": iam_tags(policy),
        "DefaultVersionId": policy["DefaultVersionId"],
        "Versions": sorted((v["VersionId"] for v in versions), key=lambda v: int(v[1:])),
        "DefaultActions": iam_actions(default["Document"]),
    }
    for key, value in json.loads(want_json).items():
        expect_equal(key, got[key], value)


def iam_policy_gone(arn):
    iam = client("iam")
    try:
        iam.get_policy(PolicyArn=arn)
    except iam.exceptions.NoSuchEntityException:
        return
    fail(f"policy {arn} still exists")


# Made outside Terraform, tagged as the provider's default_tags would tag them.
OUTSIDE_TAGS = [{"Key": "ManagedBy", "Value": "wagtail-acceptance"}]


def iam_allow(action):
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]})


def iam_create_policy(name, action):
    """Prints the ARN of a new customer policy allowing action."""
    print(client("iam").create_policy(PolicyName=name, PolicyDocument=iam_allow(action), Tags=OUTSIDE_TAGS)["Policy"]["Arn"])


def iam_trust(service):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})


def iam_create_role(name, service):
    client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=iam_trust(service), Tags=OUTSIDE_TAGS)


def iam_attach(role, arn):
    client("iam").attach_role_policy(RoleName=role, PolicyArn=arn)


def iam_put_inline(role, name, action):
    client("iam").put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=iam_allow(action))


def iam_set_trust(role, service):
    client("iam").update_assume_role_policy(RoleName=role, PolicyDocument=iam_trust(service))


def iam_set_policy_document(arn, action):
    """A new default version allowing action, after pruning the oldest version when IAM's five exist."""
    iam = client("iam")
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    if len(versions) >= 5:
        oldest = min((v for v in versions if not v["IsDefaultVersion"]), key=lambda v: int(v["VersionId"][1:]))
        iam.delete_policy_version(PolicyArn=arn, VersionId=oldest["VersionId"])
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=iam_allow(action), SetAsDefault=True)


def iam_delete_role(name):
    """Deletes a role as IAM demands: its attachments and inline policies first."""
    iam = client("iam")
    for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
        iam.detach_role_policy(RoleName=name, PolicyArn=p["PolicyArn"])
    for p in iam.list_role_policies(RoleName=name)["PolicyNames"]:
        iam.delete_role_policy(RoleName=name, PolicyName=p)
    iam.delete_role(RoleName=name)


# ---- ECS services (wagtail_ecs_service: ECS, EC2, ELBv2) ----

def ecs_create_target_group(name, vpc):
    """Prints the ARN of a new target group for Fargate tasks (target type ip)."""
    print(client("elbv2").create_target_group(Name=name, Protocol="HTTP", Port=8000, VpcId=vpc,
                                              TargetType="ip")["TargetGroups"][0]["TargetGroupArn"])


def ecs_describe_service(cluster_name, name):
    found = client("ecs").describe_services(cluster=cluster_name, services=[name], include=ECS_TAGS)["services"]
    if not found or found[0]["status"] != "ACTIVE":
        fail(f"service {name} is not ACTIVE in {cluster_name}", found)
    return found[0]


def ecs_service(cluster_name, name, want_json):
    """The service matches want, a JSON object of DescribeServices fields; subnets, securityGroups and
    assignPublicIp are read from its awsvpcConfiguration, subnets and groups compare as sets, tags as a map."""
    service = ecs_describe_service(cluster_name, name)
    network = service.get("networkConfiguration", {}).get("awsvpcConfiguration", {})
    got = dict(service, subnets=sorted(network.get("subnets", [])),
               securityGroups=sorted(network.get("securityGroups", [])), assignPublicIp=network.get("assignPublicIp"),
               tags={t["key"]: t["value"] for t in service.get("tags", [])})
    for key, value in json.loads(want_json).items():
        expect_equal(key, got.get(key), sorted(value) if key in ("subnets", "securityGroups") else value)


def ecs_service_revision(cluster_name, name):
    """Prints the task definition ARN the service runs."""
    print(ecs_describe_service(cluster_name, name)["taskDefinition"])


def ecs_task_definition(task, want_json):
    """The revision (family:revision or ARN) matches want, DescribeTaskDefinition fields; `image` is the
    first container's."""
    found = client("ecs").describe_task_definition(taskDefinition=task)["taskDefinition"]
    found["image"] = found["containerDefinitions"][0]["image"]
    for key, value in json.loads(want_json).items():
        expect_equal(key, found.get(key), value)


def ecs_service_zones(cluster_name, name, count):
    """The service's subnets lie in `count` availability zones."""
    subnets = ecs_describe_service(cluster_name, name)["networkConfiguration"]["awsvpcConfiguration"]["subnets"]
    zones = {s["AvailabilityZone"] for s in client("ec2").describe_subnets(SubnetIds=subnets)["Subnets"]}
    expect_equal("zones", len(zones), int(count))


def ecs_active_revisions(family, want):
    """Exactly the revisions in want (comma-separated, may be empty) of family are ACTIVE."""
    arns = client("ecs").list_task_definitions(familyPrefix=family, status="ACTIVE")["taskDefinitionArns"]
    expect_equal(f"ACTIVE revisions of {family}", sorted(int(a.rsplit(":", 1)[1]) for a in arns),
                 sorted(int(r) for r in want.split(",") if r))


def ecs_service_gone(cluster_name, name):
    ecs = client("ecs")
    try:
        found = ecs.describe_services(cluster=cluster_name, services=[name], include=ECS_TAGS)["services"]
    except ecs.exceptions.ClusterNotFoundException:
        return
    if found and found[0]["status"] != "INACTIVE":
        fail(f"service {name} still exists", found)


def ecs_drift_service(cluster_name, name, image, subnet):
    """Deploys behind Terraform's back as a CI job would: a new revision with another image (the one it
    replaces deregistered), two tasks, one subnet."""
    ecs = client("ecs")
    service = ecs_describe_service(cluster_name, name)
    current = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    containers = current["containerDefinitions"]
    containers[0]["image"] = image
    settings = {k: current[k] for k in ("family", "cpu", "memory", "executionRoleArn", "taskRoleArn", "networkMode",
                                        "requiresCompatibilities") if k in current}
    arn = ecs.register_task_definition(containerDefinitions=containers, **settings)["taskDefinition"]["taskDefinitionArn"]
    network = service["networkConfiguration"]
    network["awsvpcConfiguration"]["subnets"] = [subnet]
    ecs.update_service(cluster=cluster_name, service=name, desiredCount=2, taskDefinition=arn,
                       networkConfiguration=network)
    ecs.deregister_task_definition(taskDefinition=current["taskDefinitionArn"])


def ecs_delete_service(cluster_name, name):
    """Deletes the service behind Terraform's back, and its revision, as one cleaning up by hand would."""
    ecs = client("ecs")
    task = ecs_describe_service(cluster_name, name)["taskDefinition"]
    ecs.update_service(cluster=cluster_name, service=name, desiredCount=0)
    ecs.delete_service(cluster=cluster_name, service=name)
    ecs.deregister_task_definition(taskDefinition=task)


def load_count(cli, want):
    """The load test's resources of one CLI in AWS: exactly `want` in all."""
    ssm, ecr, ecs = client("ssm"), client("ecr"), client("ecs")
    parameters = sum(len(page["Parameters"]) for page in ssm.get_paginator("describe_parameters").paginate(
        ParameterFilters=[{"Key": "Name", "Option": "BeginsWith", "Values": [f"/load/{cli}/"]}]))
    repositories = sum(1 for page in ecr.get_paginator("describe_repositories").paginate()
                       for r in page["repositories"] if r["repositoryName"].startswith(f"load-{cli}/"))
    arns = [a for page in ecs.get_paginator("list_clusters").paginate() for a in page["clusterArns"]
            if f"/load-{cli}-c" in a]
    clusters = sum(1 for c in ecs.describe_clusters(clusters=arns, include=ECS_TAGS)["clusters"] if c["status"] == "ACTIVE") if arns else 0
    expect_equal("load resources in AWS", parameters + repositories + clusters, int(want))


# ---- CloudWatch Logs (wagtail_log_group) ----

def log_group_found(name):
    """The group named exactly `name`, or None."""
    groups = client("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    return next((g for g in groups if g["logGroupName"] == name), None)


def log_group(name, retention, kms_key, tags_json):
    """retention and kms_key are "none" when unset."""
    found = log_group_found(name)
    if not found:
        fail(f"log group {name} does not exist")
    expect_equal("retentionInDays", found.get("retentionInDays"), None if retention == "none" else int(retention))
    expect_equal("kmsKeyId", found.get("kmsKeyId"), None if kms_key == "none" else kms_key)
    arn = found["arn"].removesuffix(":*")
    expect_equal("log group tags", client("logs").list_tags_for_resource(resourceArn=arn)["tags"],
                 json.loads(tags_json))


def log_group_arn(name):
    print(log_group_found(name)["arn"].removesuffix(":*"))


def log_group_gone(name):
    if log_group_found(name):
        fail(f"log group {name} still exists")


def create_log_group(name, retention):
    client("logs").create_log_group(logGroupName=name)
    client("logs").put_retention_policy(logGroupName=name, retentionInDays=int(retention))


def delete_log_group(name):
    client("logs").delete_log_group(logGroupName=name)


def put_retention(name, retention):
    client("logs").put_retention_policy(logGroupName=name, retentionInDays=int(retention))


def create_kms_key():
    print(client("kms").create_key(Description="wagtail acceptance")["KeyMetadata"]["Arn"])


commands = {
    "log-group": log_group, "log-group-arn": log_group_arn, "log-group-gone": log_group_gone,
    "create-log-group": create_log_group, "delete-log-group": delete_log_group, "put-retention": put_retention,
    "create-kms-key": create_kms_key,
    "load-count": load_count,
    "default-network": default_network, "create-security-group": create_security_group,
    "create-role": create_role, "aurora": aurora, "aurora-instances": aurora_instances,
    "aurora-instance-class": aurora_instance_class,
    "ingress": ingress, "egress-https": egress_https, "aurora-gone": aurora_gone, "security-group-gone": security_group_gone,
    "subnet-group-gone": subnet_group_gone, "set-backup-retention": set_backup_retention,
    "create-aurora": create_aurora, "delete-aurora": delete_aurora,
    "associate-role": associate_role,
    "cluster": cluster, "cluster-gone": cluster_gone,
    "parameter": parameter, "parameter-gone": parameter_gone, "parameter-tier": parameter_tier,
    "repository": repository, "repository-gone": repository_gone,
    "delete-cluster": delete_cluster, "put-parameter": put_parameter,
    "create-parameter": create_parameter, "create-repository": create_repository,
    "iam-role": iam_role, "iam-role-gone": iam_role_gone, "iam-policy": iam_policy, "iam-policy-gone": iam_policy_gone,
    "iam-create-policy": iam_create_policy, "iam-create-role": iam_create_role, "iam-attach": iam_attach,
    "iam-put-inline": iam_put_inline, "iam-set-trust": iam_set_trust,
    "iam-set-policy-document": iam_set_policy_document, "iam-delete-role": iam_delete_role,
    "ecs-create-target-group": ecs_create_target_group, "ecs-service": ecs_service, "ecs-service-revision": ecs_service_revision,
    "ecs-task-definition": ecs_task_definition, "ecs-service-zones": ecs_service_zones,
    "ecs-active-revisions": ecs_active_revisions, "ecs-service-gone": ecs_service_gone,
    "ecs-drift-service": ecs_drift_service, "ecs-delete-service": ecs_delete_service,
}


# ---- the example stack (example_stack.sh: examples/wagtail, modules/ecs, modules/rds-aurora) ----

def stack_secrets_least_privilege(cluster_name, name):
    """The service's execution role may read exactly the SecureStrings its containers read as secrets:
    ssm:GetParameters on them, kms:Decrypt only via SSM for them; no other statement grants ssm or kms."""
    ecs, iam = client("ecs"), client("iam")
    service = ecs_describe_service(cluster_name, name)
    task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    wanted = sorted({s["valueFrom"] for c in task["containerDefinitions"] for s in c.get("secrets", [])})
    if not wanted:
        fail(f"the containers of {name} read no secrets", task["containerDefinitions"])
    ssm = client("ssm")
    for arn in wanted:
        parameter = ssm.get_parameter(Name=arn.split(":parameter", 1)[1])["Parameter"]
        expect_equal(f"type of {arn}", parameter["Type"], "SecureString")
    role = task["executionRoleArn"].rsplit("/", 1)[1]
    statements = [s for p in iam.list_role_policies(RoleName=role)["PolicyNames"]
                  for s in iam_statements(iam.get_role_policy(RoleName=role, PolicyName=p)["PolicyDocument"])]
    attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    expect_equal("policies attached to the execution role", attached, [])
    reading = [s for s in statements if any(a.split(":")[0] in ("ssm", "kms", "*") for a in as_list(s["Action"]))]
    by_action = {a: s for s in reading for a in as_list(s["Action"])}
    expect_equal("ssm and kms actions", sorted(by_action), ["kms:Decrypt", "ssm:GetParameters"])
    expect_equal("ssm:GetParameters resources", sorted(as_list(by_action["ssm:GetParameters"]["Resource"])), wanted)
    condition = by_action["kms:Decrypt"].get("Condition", {}).get("StringEquals", {})
    expect_equal("kms:Decrypt for these parameters", sorted(as_list(condition.get("kms:EncryptionContext:PARAMETER_ARN", []))),
                 wanted)
    expect_equal("kms:Decrypt via SSM", as_list(condition.get("kms:ViaService", [])), ["ssm.eu-west-1.amazonaws.com"])


def parameter_value(name):
    """Prints a parameter's decrypted value (for the tests that look for it where it must not be)."""
    print(client("ssm").get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"])


def master_password_is(cluster, parameter):
    """The cluster's master password is the SecureString PARAMETER's value. AWS
    never shows a master password; the strict layer, through which the
    provider set it, answers whether a password is the one last set (run
    with `outside`, whose endpoint is that layer)."""
    value = client("ssm").get_parameter(Name=parameter, WithDecryption=True)["Parameter"]["Value"]
    request = urllib.request.Request(endpoint.rstrip("/") + "/_strict/rds-master-password", method="POST",
                                     data=json.dumps({"cluster": cluster, "password": value}).encode())
    with urllib.request.urlopen(request, timeout=30) as answer:
        got = json.load(answer)
    if not got["matches"]:
        fail(f"the master password of {cluster} is not the value of {parameter}",
             {"a password was set": got["known"]})


def parameters_equal(first, second):
    """Two SecureStrings hold the same value."""
    ssm = client("ssm")
    a, b = (ssm.get_parameter(Name=n, WithDecryption=True)["Parameter"] for n in (first, second))
    expect_equal("types", [a["Type"], b["Type"]], ["SecureString", "SecureString"])
    if a["Value"] != b["Value"]:
        fail(f"{first} and {second} hold different values")


def session_credentials(name):
    """Prints the key, secret and session token of a session of role `name` (made here, allowed everything,
    assumable by anyone in moto), for runs that sign with temporary credentials."""
    iam = client("iam")
    try:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}), Tags=OUTSIDE_TAGS)
        iam.put_role_policy(RoleName=name, PolicyName="everything", PolicyDocument=iam_allow("*"))
    except iam.exceptions.EntityAlreadyExistsException:
        pass
    c = client("sts").assume_role(RoleArn=iam.get_role(RoleName=name)["Role"]["Arn"],
                                  RoleSessionName="acceptance")["Credentials"]
    print(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])


commands.update({
    "session-credentials": session_credentials,
    "stack-secrets-least-privilege": stack_secrets_least_privilege, "parameter-value": parameter_value,
    "master-password-is": master_password_is,
    "parameters-equal": parameters_equal,
})
# ---- fault injection (faults.sh): is a scenario's resource in AWS, and in the state ----

ACCOUNT = "123456789012"


def faults_setup(prefix):
    """Makes what the fault scenarios' ECS services and Aurora clusters need and prints it: the default
    VPC and two of its subnets, a security group, an execution role ARN and an ECS cluster."""
    ec2 = client("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"][:2]
    group = ec2.create_security_group(GroupName=f"{prefix}-app", Description="faults", VpcId=vpc)["GroupId"]
    role = client("iam").create_role(RoleName=f"{prefix}-execution", AssumeRolePolicyDocument=iam_trust(
        "ecs-tasks.amazonaws.com"), Tags=OUTSIDE_TAGS)["Role"]["Arn"]
    cluster = client("ecs").create_cluster(clusterName=f"{prefix}-services")["cluster"]["clusterName"]
    print(vpc, subnets[0]["SubnetId"], subnets[1]["SubnetId"], group, role, cluster)


def faults_in_aws(kind, name):
    """yes: the resource exists; partial: only pieces of it do (Aurora's security group or subnet group,
    an ECS service's task definition revisions); no: nothing of it."""
    def absent(call, *missing):
        try:
            call()
            return False
        except Exception as e:  # botocore ClientError, or a service's modelled exception
            if any(code in str(e) for code in missing):
                return True
            raise

    if kind == "ssm_parameter":
        return "no" if absent(lambda: client("ssm").get_parameter(Name=name), "ParameterNotFound") else "yes"
    if kind == "ecr_repository":
        return "no" if absent(lambda: client("ecr").describe_repositories(repositoryNames=[name]),
                              "RepositoryNotFoundException") else "yes"
    if kind == "ecs_cluster":
        found = client("ecs").describe_clusters(clusters=[name], include=ECS_TAGS)["clusters"]
        return "yes" if found and found[0]["status"] == "ACTIVE" else "no"
    if kind == "log_group":
        return "yes" if log_group_found(name) else "no"
    if kind == "iam_role":
        return "no" if absent(lambda: client("iam").get_role(RoleName=name), "NoSuchEntity") else "yes"
    if kind == "iam_policy":
        arn = f"arn:aws:iam::{ACCOUNT}:policy/{name}"
        return "no" if absent(lambda: client("iam").get_policy(PolicyArn=arn), "NoSuchEntity") else "yes"
    if kind == "aurora_cluster":
        rds, ec2 = client("rds"), client("ec2")
        if not absent(lambda: rds.describe_db_clusters(DBClusterIdentifier=name), "DBClusterNotFoundFault"):
            return "yes"
        groups = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [f"{name}-db"]}])
        subnets = not absent(lambda: rds.describe_db_subnet_groups(DBSubnetGroupName=f"{name}-subnets"),
                             "DBSubnetGroupNotFoundFault")
        instances = rds.describe_db_instances(Filters=[{"Name": "db-cluster-id", "Values": [name]}])["DBInstances"]
        return "partial" if groups["SecurityGroups"] or subnets or instances else "no"
    if kind == "ecs_service":
        cluster_name, service = name.split("/", 1)
        ecs = client("ecs")
        found = ecs.describe_services(cluster=cluster_name, services=[service], include=ECS_TAGS)["services"]
        if found and found[0]["status"] == "ACTIVE":
            return "yes"
        revisions = ecs.list_task_definitions(familyPrefix=service, status="ACTIVE")["taskDefinitionArns"]
        return "partial" if revisions else "no"
    fail(f"faults: no presence check for {kind}")


def faults_in_state(kind, state_file):
    """yes, tainted or no: the one wagtail_<kind> of a scenario's state file."""
    try:
        with open(state_file) as f:
            state = json.load(f)
    except FileNotFoundError:
        return "no"
    for resource in state.get("resources", []):
        if resource.get("mode") == "managed" and resource["type"] == f"wagtail_{kind}" and resource["instances"]:
            return "tainted" if resource["instances"][0].get("status") == "tainted" else "yes"
    return "no"


def faults_agree(kind, name, state_file, want_aws, want_state):
    """The resource is in AWS and in the state as wanted (each a |-separated set of yes, partial, no,
    tainted); and, whatever is wanted, nothing is in AWS that the state lacks, unless want_state is no
    and want_aws yes (a resource made outside Terraform whose import failed)."""
    in_aws, in_state = faults_in_aws(kind, name), faults_in_state(kind, state_file)
    print(f"aws={in_aws} state={in_state}" + (": stale, the next refresh drops it" if in_aws == "no" and in_state == "yes" else ""))
    if in_aws not in want_aws.split("|") or in_state not in want_state.split("|"):
        fail(f"{kind} {name}: want aws={want_aws} state={want_state}")
    if in_aws != "no" and in_state == "no" and not (want_aws == "yes" and want_state == "no"):
        fail(f"{kind} {name}: in AWS ({in_aws}) but not in the state: created and untracked")


commands.update({
    "faults-setup": faults_setup, "faults-agree": faults_agree,
})


# ---- CloudWatch Logs subscription filters (wagtail_cloudwatch_log_subscription) ----

def create_kinesis_stream(name):
    """A Kinesis stream to send log events to (made once); prints its ARN."""
    kinesis = client("kinesis")
    try:
        kinesis.create_stream(StreamName=name, ShardCount=1)
    except kinesis.exceptions.ResourceInUseException:
        pass
    print(kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"])


def log_subscription_found(group, name):
    filters = client("logs").describe_subscription_filters(logGroupName=group)["subscriptionFilters"]
    return next((f for f in filters if f["filterName"] == name), None)


def log_subscription(group, name, pattern, destination, role):
    """The filter as wanted; role "none": none."""
    found = log_subscription_found(group, name)
    if not found:
        fail(f"no subscription filter {name} on {group}")
    expect_equal("filterPattern", found.get("filterPattern", ""), pattern)
    expect_equal("destinationArn", found.get("destinationArn"), destination)
    expect_equal("roleArn", found.get("roleArn") or "none", role)


def log_subscription_gone(group, name):
    try:
        found = log_subscription_found(group, name)
    except client("logs").exceptions.ResourceNotFoundException:
        return  # the log group is gone, and its filters with it
    if found:
        fail(f"subscription filter {name} on {group} still exists", found)


def put_log_subscription(group, name, pattern, destination, role):
    extra = {} if role == "none" else {"roleArn": role}
    client("logs").put_subscription_filter(logGroupName=group, filterName=name, filterPattern=pattern,
                                           destinationArn=destination, **extra)


def delete_log_subscription(group, name):
    client("logs").delete_subscription_filter(logGroupName=group, filterName=name)


commands.update({
    "parameter-holds": parameter_holds, "new-user-key": new_user_key,
    "create-kinesis-stream": create_kinesis_stream, "log-subscription": log_subscription,
    "log-subscription-gone": log_subscription_gone, "put-log-subscription": put_log_subscription,
    "delete-log-subscription": delete_log_subscription,
})

commands[command](*args)
