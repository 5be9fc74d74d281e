"""demo_aws.py: the AWS side of the local quick start (scripts/demo.sh), with boto3.

    demo_aws.py prereqs ENDPOINT KEY SECRET REGION
        Makes what the example stack takes as given, as an account would
        already have it, and prints it as JSON variables for the stack:
        the default VPC and two of its subnets in different zones, the ECS
        tasks' security group, the role Aurora invokes Lambda with, and the
        ARN of the Lambda function the page trigger calls. With
        LOCAL_DATABASE_PASSWORD in the environment (the local PostgreSQL's),
        also a SecureString holding it, for database_password_parameter: the
        provider reads it from there, so no state or plan holds it. Safe to
        run again.
    demo_aws.py inspect ENDPOINT KEY SECRET REGION
        Prints what the stack made, read back from AWS.

ENDPOINT is the moto server (or "aws" for the real endpoints)."""
import json
import os
import sys

import boto3

command, endpoint, key, secret, region = sys.argv[1:6]
session = boto3.session.Session(aws_access_key_id=key, aws_secret_access_key=secret, region_name=region)


def client(service):
    return session.client(service, endpoint_url=None if endpoint == "aws" else endpoint)


def trust(service):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})


def role(name, service, policy_name, policy):
    iam = client("iam")
    try:
        arn = iam.get_role(RoleName=name)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(service))["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName=policy_name, PolicyDocument=json.dumps(policy))
    return arn


def prereqs():
    ec2 = client("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]
    by_zone = {}
    for subnet in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"]:
        by_zone.setdefault(subnet["AvailabilityZone"], subnet["SubnetId"])
    subnets = [by_zone[zone] for zone in sorted(by_zone)[:2]]
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]},
                                                   {"Name": "group-name", "Values": ["wagtail-ecs-tasks"]}])
    if groups["SecurityGroups"]:
        group = groups["SecurityGroups"][0]["GroupId"]
    else:
        group = ec2.create_security_group(GroupName="wagtail-ecs-tasks", Description="Wagtail ECS tasks",
                                          VpcId=vpc["VpcId"])["GroupId"]
    # The function itself is not made: moto 5.2.1 refuses every Lambda call
    # it must check the signature of, and the stack only names the function.
    account = client("sts").get_caller_identity()["Account"]
    function = f"arn:aws:lambda:{region}:{account}:function:wagtail-page-changed"
    aurora_role = role("wagtail-rds-lambda", "rds.amazonaws.com", "invoke-page-changed", {
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "lambda:InvokeFunction",
                                                "Resource": function}]})
    variables = {
        "private_subnet_id": vpc["VpcId"],
        "subnets": subnets,
        "wagtail_ecs_sg": group,
        "wagtail_cidr_range": vpc["CidrBlock"],
        "wagtail_rds_iam_role": aurora_role,
        "page_changed_lambda_arn": function,
    }
    password = os.environ.get("LOCAL_DATABASE_PASSWORD")
    if password:
        name = "/wagtail-local/database_password"
        client("ssm").put_parameter(Name=name, Value=password, Type="SecureString", Overwrite=True,
                                    Description="Password of the local PostgreSQL the quick start uses")
        variables["database_password_parameter"] = name
    print(json.dumps(variables, indent=2))


def show(title, rows):
    print(f"\n{title}")
    for row in rows or ["(none)"]:
        print(f"  {row}")


def inspect():
    rds = client("rds")
    clusters = rds.describe_db_clusters()["DBClusters"]
    show("Aurora clusters (rds describe-db-clusters)", [
        f"{c['DBClusterIdentifier']}: {c['Engine']} {c['EngineVersion']}, {c['Status']}, endpoint {c['Endpoint']}, "
        f"IAM auth {c.get('IAMDatabaseAuthenticationEnabled')}, encrypted {c.get('StorageEncrypted')}, "
        f"deletion protection {c.get('DeletionProtection')}, roles "
        f"{[(r['RoleArn'].split('/')[-1], r.get('FeatureName')) for r in c.get('AssociatedRoles', [])]}"
        for c in clusters])
    members = []
    for c in clusters:
        for m in c.get("DBClusterMembers", []):
            db = rds.describe_db_instances(DBInstanceIdentifier=m["DBInstanceIdentifier"])["DBInstances"][0]
            members.append(f"{m['DBInstanceIdentifier']}: {'writer' if m['IsClusterWriter'] else 'reader'}, "
                           f"{db['DBInstanceClass']} in {db.get('AvailabilityZone')}")
    show("Aurora instances", members)

    ecs = client("ecs")
    services = []
    for cluster in ecs.list_clusters()["clusterArns"]:
        arns = ecs.list_services(cluster=cluster)["serviceArns"]
        for s in ecs.describe_services(cluster=cluster, services=arns)["services"] if arns else []:
            task = ecs.describe_task_definition(taskDefinition=s["taskDefinition"])["taskDefinition"]
            containers = task["containerDefinitions"]
            services.append(f"{cluster.split('/')[-1]}/{s['serviceName']}: {s['status']}, desired {s['desiredCount']}, "
                            f"running {s['runningCount']}, task {task['family']}:{task['revision']} "
                            f"({task['cpu']} cpu, {task['memory']} MiB), image {containers[0]['image']}, "
                            f"secrets {[x['name'] for c in containers for x in c.get('secrets', [])]}")
    show("ECS services (ecs describe-services)", services)

    iam = client("iam")
    roles = []
    for r in iam.list_roles()["Roles"]:
        name = r["RoleName"]
        attached = [p["PolicyName"] for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]]
        inline = iam.list_role_policies(RoleName=name)["PolicyNames"]
        roles.append(f"{name}: attached {attached}, inline {inline}")
    show("IAM roles", roles)

    ssm = client("ssm")
    show("SSM parameters (values not shown)", [f"{p['Name']}: {p['Type']}" for p in ssm.describe_parameters()["Parameters"]])
    show("ECR repositories", [r["repositoryUri"] for r in client("ecr").describe_repositories()["repositories"]])
    show("CloudWatch log groups", [f"{g['logGroupName']}: {g.get('retentionInDays', 'never expire')} days"
                                   for g in client("logs").describe_log_groups()["logGroups"]])


{"prereqs": prereqs, "inspect": inspect}[command]()
