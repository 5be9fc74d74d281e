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


commands = {
    "cluster": cluster, "cluster-gone": cluster_gone,
    "parameter": parameter, "parameter-gone": parameter_gone,
    "repository": repository, "repository-gone": repository_gone,
    "delete-cluster": delete_cluster, "put-parameter": put_parameter,
    "create-parameter": create_parameter, "create-repository": create_repository,
}
commands[command](*args)
