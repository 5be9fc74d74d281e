"""aws_check.py: the AWS side of the acceptance tests, read with boto3 from the
same moto server the provider talks to.

    aws_check.py ENDPOINT KEY SECRET COMMAND ARGS...

Commands print nothing and exit 0 when the check holds; otherwise they print
what they found and exit 1. Mutating commands (delete-cluster, put-parameter,
create-repository) change AWS behind Terraform's back, for drift and import."""
import json
import sys

import boto3

endpoint, key, secret, command, *args = sys.argv[1:]
session = boto3.session.Session(aws_access_key_id=key, aws_secret_access_key=secret, region_name="eu-west-1")


def client(service):
    return session.client(service, endpoint_url=endpoint)


def fail(message, found=None):
    print(message)
    if found is not None:
        print(json.dumps(found, default=str, indent=1)[:3000])
    sys.exit(1)


def expect_equal(what, got, want):
    if got != want:
        fail(f"{what}: got {got!r}, want {want!r}")


def cluster(name, insights, tags_json):
    found = client("ecs").describe_clusters(clusters=[name], include=["SETTINGS", "TAGS"])["clusters"]
    if not found or found[0]["status"] != "ACTIVE":
        fail(f"cluster {name} is not ACTIVE", found)
    settings = {s["name"]: s["value"] for s in found[0].get("settings", [])}
    expect_equal("containerInsights", settings.get("containerInsights"), insights)
    expect_equal("cluster tags", {t["key"]: t["value"] for t in found[0].get("tags", [])}, json.loads(tags_json))


def cluster_gone(name):
    found = client("ecs").describe_clusters(clusters=[name])["clusters"]
    if found and found[0]["status"] != "INACTIVE":
        fail(f"cluster {name} still exists", found)


def parameter(name, value, type_, tags_json):
    ssm = client("ssm")
    got = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]
    expect_equal("value", got["Value"], value)
    expect_equal("type", got["Type"], type_)
    tags = ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=name)["TagList"]
    expect_equal("parameter tags", {t["Key"]: t["Value"] for t in tags}, json.loads(tags_json))


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


def create_parameter(name, value):
    client("ssm").put_parameter(Name=name, Value=value, Type="String")


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


commands = {
    "default-network": default_network, "create-security-group": create_security_group,
    "create-role": create_role, "aurora": aurora, "aurora-instances": aurora_instances,
    "ingress": ingress, "egress-https": egress_https, "aurora-gone": aurora_gone, "security-group-gone": security_group_gone,
    "subnet-group-gone": subnet_group_gone, "set-backup-retention": set_backup_retention,
    "create-aurora": create_aurora, "delete-aurora": delete_aurora,
    "cluster": cluster, "cluster-gone": cluster_gone,
    "parameter": parameter, "parameter-gone": parameter_gone,
    "repository": repository, "repository-gone": repository_gone,
    "delete-cluster": delete_cluster, "put-parameter": put_parameter,
    "create-parameter": create_parameter, "create-repository": create_repository,
}
commands[command](*args)
