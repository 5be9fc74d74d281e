"""strict_rds.py: the strict AWS layer's RDS and EC2 behaviours (see
strict_proxy.py for the layer and its delays). moto answers RDS at once and
lets anything happen in any order; AWS takes time and refuses what a
resource's state does not allow. Each behaviour says where its facts come
from: the RDS API reference, botocore's rds model (wire codes, output
shapes) and the AWS provider for Terraform (hashicorp/terraform-provider-aws,
internal/service/rds), whose waiters list the states a resource passes
through and whose retry lists name the refusals AWS makes.

The proxy keeps, per region and identifier, what moto does not: a timeline
of states (each state until a point in time, then the next, then whatever
moto says), IAM role associations still PENDING, modifications waiting for
the maintenance window, and the last answer about a deleted cluster or
instance, shown as `deleting` for a while.
"""
import copy
import hashlib
import json
import re
import xml.etree.ElementTree as ET

RDS_NS = "http://rds.amazonaws.com/doc/2014-10-31/"
ET.register_namespace("", RDS_NS)

# Identifiers RDS stores lower-cased. RDS API reference, CreateDBCluster
# DBClusterIdentifier, CreateDBInstance DBInstanceIdentifier,
# CreateDBSubnetGroup DBSubnetGroupName: "stored as a lowercase string".
# moto 5.2.1 lower-cases most of them when it stores them and finds them
# whatever their case, so requests in mixed case need no help; but a
# cluster's DBSubnetGroup it echoes as given. Every RDS answer is therefore
# passed through lower_identifiers(). (ARNs name the stored identifier.)
LOWER_ELEMENTS = {
    "DBClusterIdentifier", "DBInstanceIdentifier", "DBSubnetGroupName", "DBSubnetGroup",
    "DBClusterArn", "DBInstanceArn", "DBSubnetGroupArn", "DBClusterSnapshotIdentifier",
    "ReadReplicaSourceDBInstanceIdentifier", "SourceDBInstanceIdentifier",
}

# Modifications that wait for the maintenance window unless ApplyImmediately
# is true. RDS API reference, ModifyDBInstance ApplyImmediately: changes
# to DBInstanceClass, EngineVersion (and others) "are applied during the
# next maintenance window" otherwise, and DescribeDBInstances shows them in
# PendingModifiedValues meanwhile (botocore rds: PendingModifiedValues has
# DBInstanceClass and EngineVersion; ClusterPendingModifiedValues has
# EngineVersion).
DEFERRED = {
    "ModifyDBCluster": ("EngineVersion",),
    "ModifyDBInstance": ("DBInstanceClass", "EngineVersion"),
}
# Members of a Modify request that change nothing by themselves.
NOT_CHANGES = {"Action", "Version", "DBClusterIdentifier", "DBInstanceIdentifier", "ApplyImmediately",
               "AllowMajorVersionUpgrade"}

# AWS provider rds errors.go errIAMRolePropagationMessage: the prefix of
# AWS's refusal of a role IAM has not yet propagated to RDS;
# cluster_instance.go retries CreateDBInstance and ModifyDBInstance on it,
# cluster_role_association.go AddRoleToDBCluster.
IAM_ROLE_MESSAGE = "IAM role ARN value is invalid or does not include the required permissions for: "


def local(tag):
    return tag.rsplit("}", 1)[-1]


def child(el, name):
    for c in el:
        if local(c.tag) == name:
            return c
    return None


def child_text(el, name):
    c = child(el, name)
    return (c.text or "") if c is not None else None


def set_child(el, name, text):
    c = child(el, name)
    if c is None:
        c = ET.SubElement(el, ns_tag(el, name))
    c.text = text
    return c


def ns_tag(el, name):
    return el.tag[: el.tag.index("}") + 1] + name if el.tag.startswith("{") else name


def elements(root, name):
    return [e for e in root.iter() if local(e.tag) == name]


def parse(body):
    try:
        return ET.fromstring(body)
    except ET.ParseError:
        return None


def serialize(root):
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


class Resource:
    """What the proxy knows of one cluster or instance beyond moto."""

    def __init__(self):
        self.timeline = []  # [(status, until)] in order
        self.roles = {}  # role ARN -> PENDING until
        self.pending = {}  # member -> value, until the maintenance window
        self.ghost = None  # (XML element, until): deleted, shown as deleting
        self.cluster = None  # an instance's cluster
        self.password_digest = None  # sha256 of the master password last set

    def add_phase(self, status, seconds, now):
        start = max([now] + [until for _, until in self.timeline])
        if seconds > 0:
            self.timeline.append((status, start + seconds))

    def status(self, now):
        """The state the proxy imposes now, or None (moto's own)."""
        self.timeline = [(s, until) for s, until in self.timeline if until > now]
        return self.timeline[0][0] if self.timeline else None


class RdsState:
    def __init__(self):
        self.clusters = {}  # (region, id) -> Resource
        self.instances = {}  # (region, id) -> Resource

    def cluster(self, region, ident, create=True):
        key = (region, (ident or "").lower())
        if key not in self.clusters and create:
            self.clusters[key] = Resource()
        return self.clusters.get(key)

    def instance(self, region, ident, create=True):
        key = (region, (ident or "").lower())
        if key not in self.instances and create:
            self.instances[key] = Resource()
        return self.instances.get(key)


def state_of(proxy):
    with proxy.lock:
        return proxy.state.setdefault("rds", RdsState())


def is_true(value):
    return str(value).lower() == "true"


def filter_values(call, name):
    """Values of the Query filter NAME (Filters.Filter.N.Name / .Values.Value.M)."""
    values = []
    for key, value in call.form:
        m = re.fullmatch(r"Filters\.Filter\.(\d+)\.Name", key)
        if m and value == name:
            prefix = f"Filters.Filter.{m.group(1)}.Values."
            values += [v.lower() for k, v in call.form if k.startswith(prefix)]
    return values


def has_filters(call):
    return any(k.startswith("Filters.") for k, _ in call.form)


class Rds:
    """RDS clusters, instances and role associations as AWS runs them."""

    # ---- before: refusals and re-issued requests ----

    def before(self, proxy, call):
        if call.service != "rds":
            return None
        handler = getattr(self, "before_" + call.operation, None)
        return handler(proxy, call) if handler else None

    def cluster_state(self, proxy, call, ident):
        """The cluster's state as AWS would report it: the proxy's timeline,
        `deleting` for a deleted one, else available."""
        st = state_of(proxy)
        with proxy.lock:
            rec = st.cluster(call.region, ident, create=False)
            if rec is None:
                return None
            now = proxy.now()
            if rec.ghost and rec.ghost[1] > now:
                return "deleting"
            return rec.status(now)

    def refuse_unless_available(self, proxy, call, ident):
        # AWS provider rds cluster.go resourceClusterDelete retries
        # DeleteDBCluster on InvalidDBClusterStateFault "is not currently in
        # the available state"; cluster_role_association.go retries
        # AddRoleToDBCluster on InvalidDBClusterStateFault; botocore rds lists
        # InvalidDBClusterStateFault (wire code the same) for AddRoleToDBCluster,
        # ModifyDBCluster, DeleteDBCluster and CreateDBInstance.
        status = self.cluster_state(proxy, call, ident)
        if status and status != "available":
            return proxy.error(call, 400, "InvalidDBClusterStateFault",
                               f"DB cluster {ident.lower()} is not currently in the available state "
                               f"(it is {status}).")
        return None

    def refuse_young_role(self, proxy, call, arn, feature):
        # IAM is eventually consistent: a role made seconds ago is not yet
        # usable by RDS, which refuses it with InvalidParameterValue (AWS
        # provider rds errors.go errIAMRolePropagationMessage, retried around
        # CreateDBInstance, ModifyDBInstance and AddRoleToDBCluster).
        if not arn:
            return None
        with proxy.lock:
            made = proxy.state.setdefault("iam_roles_created", {}).get(arn)
        if made is not None and proxy.now() - made < proxy.delay("iam_propagation"):
            return proxy.error(call, 400, "InvalidParameterValue", IAM_ROLE_MESSAGE + feature)
        return None

    def before_CreateDBCluster(self, proxy, call):
        ident = call.field("DBClusterIdentifier", "")
        refusal = self.refuse_young_role(proxy, call, call.field("MonitoringRoleArn"), "ENHANCED_MONITORING")
        if refusal:
            return refusal
        # AWS answers DBClusterAlreadyExistsFault for an identifier in use
        # (botocore rds CreateDBCluster errors); moto 5.2.1 replaces the
        # cluster, or trips over its own automated snapshot.
        exists = self.cluster_state(proxy, call, ident) == "deleting"
        if not exists:
            found = proxy.client("rds", call.region).describe_db_clusters(
                Filters=[{"Name": "db-cluster-id", "Values": [ident.lower()]}])["DBClusters"]
            exists = any(c["DBClusterIdentifier"].lower() == ident.lower() for c in found)
        if exists:
            return proxy.error(call, 400, "DBClusterAlreadyExistsFault", "DB Cluster already exists")
        return None

    def before_CreateDBSubnetGroup(self, proxy, call):
        # botocore rds CreateDBSubnetGroup errors: DBSubnetGroupAlreadyExistsFault,
        # wire code DBSubnetGroupAlreadyExists. moto 5.2.1 replaces the group.
        name = call.field("DBSubnetGroupName", "")
        try:
            proxy.client("rds", call.region).describe_db_subnet_groups(DBSubnetGroupName=name.lower())
        except Exception:  # noqa: BLE001 - not found: the name is free
            return None
        return proxy.error(call, 400, "DBSubnetGroupAlreadyExists", f"The DB subnet group '{name.lower()}' already exists.")

    def before_CreateDBInstance(self, proxy, call):
        refusal = self.refuse_young_role(proxy, call, call.field("MonitoringRoleArn"), "ENHANCED_MONITORING")
        if refusal:
            return refusal
        cluster = call.field("DBClusterIdentifier")
        return self.refuse_unless_available(proxy, call, cluster) if cluster else None

    def before_AddRoleToDBCluster(self, proxy, call):
        refusal = self.refuse_young_role(proxy, call, call.field("RoleArn"), call.field("FeatureName") or "")
        return refusal or self.refuse_unless_available(proxy, call, call.field("DBClusterIdentifier", ""))

    def before_DeleteDBCluster(self, proxy, call):
        ident = call.field("DBClusterIdentifier", "")
        if self.cluster_state(proxy, call, ident) == "deleting":
            return None  # moto no longer has it: DBClusterNotFoundFault
        # A cluster with instances that are not being deleted cannot go:
        # moto refuses that itself (InvalidDBClusterStateFault "Cluster cannot
        # be deleted, it still contains DB instances in non-deleting state."),
        # and the instances the proxy shows as deleting are gone from moto.
        return self.refuse_unless_available(proxy, call, ident)

    def before_ModifyDBCluster(self, proxy, call):
        ident = call.field("DBClusterIdentifier", "")
        refusal = self.refuse_young_role(proxy, call, call.field("MonitoringRoleArn"), "ENHANCED_MONITORING")
        refusal = refusal or self.refuse_unless_available(proxy, call, ident)
        if refusal:
            return refusal
        current = self.describe_cluster(proxy, call.region, ident)
        call.rds_current = current
        return self.defer(proxy, call, current)

    def before_ModifyDBInstance(self, proxy, call):
        ident = call.field("DBInstanceIdentifier", "")
        refusal = self.refuse_young_role(proxy, call, call.field("MonitoringRoleArn"), "ENHANCED_MONITORING")
        if refusal:
            return refusal
        # RDS API reference, ModifyDBInstance: InvalidDBInstanceState "The DB
        # instance isn't in a valid state" (botocore rds wire code
        # InvalidDBInstanceState).
        status = self.instance_state(proxy, call, ident)
        if status in ("creating", "deleting"):
            return proxy.error(call, 400, "InvalidDBInstanceState",
                               f"Database instance {ident.lower()} is not in available state (it is {status}).")
        current = self.describe_instance(proxy, call.region, ident)
        call.rds_current = current
        return self.defer(proxy, call, current)

    def before_DeleteDBInstance(self, proxy, call):
        ident = call.field("DBInstanceIdentifier", "")
        status = self.instance_state(proxy, call, ident)
        # AWS provider rds cluster_instance.go resourceClusterInstanceDelete
        # tolerates InvalidDBInstanceStateFault "is already being deleted":
        # AWS's answer to deleting an instance twice. One still `creating`
        # cannot be deleted yet (botocore rds: InvalidDBInstanceStateFault,
        # wire code InvalidDBInstanceState).
        if status == "deleting":
            return proxy.error(call, 400, "InvalidDBInstanceState", f"Instance {ident.lower()} is already being deleted.")
        if status == "creating":
            return proxy.error(call, 400, "InvalidDBInstanceState",
                               f"Instance {ident.lower()} is currently creating - it cannot be deleted yet.")
        return None

    def instance_state(self, proxy, call, ident):
        with proxy.lock:
            rec = state_of(proxy).instance(call.region, ident, create=False)
            if rec is None:
                return None
            now = proxy.now()
            if rec.ghost and rec.ghost[1] > now:
                return "deleting"
            return rec.status(now)

    def describe_cluster(self, proxy, region, ident):
        try:
            found = proxy.client("rds", region).describe_db_clusters(DBClusterIdentifier=ident)["DBClusters"]
        except Exception:  # noqa: BLE001 - moto will say what is wrong when the request goes on
            return {}
        return found[0] if found else {}

    def describe_instance(self, proxy, region, ident):
        try:
            found = proxy.client("rds", region).describe_db_instances(DBInstanceIdentifier=ident)["DBInstances"]
        except Exception:  # noqa: BLE001
            return {}
        return found[0] if found else {}

    def defer(self, proxy, call, current):
        """A Modify without ApplyImmediately: the members that wait for the
        maintenance window are held back (the rest goes to moto, re-signed),
        and the answer shows them as PendingModifiedValues."""
        call.rds_deferred = {}
        if is_true(call.field("ApplyImmediately", "false")):
            return None
        for member in DEFERRED[call.operation]:
            value = call.field(member)
            if value is not None and value != current.get(member):
                call.rds_deferred[member] = value
        if call.rds_deferred:
            call.resign([(k, v) for k, v in call.form if k not in call.rds_deferred])
        return None

    # ---- after: what AWS would have answered ----

    def after(self, proxy, call, status, body):
        if call.service == "iam" and call.operation == "CreateRole" and status == 200:
            self.role_created(proxy, body)
            return status, body
        if call.service != "rds":
            return status, body
        handler = getattr(self, "after_" + call.operation, None)
        if handler:
            status, body = handler(proxy, call, status, body)
        # After the handler: a new cluster's handler starts its record afresh.
        if status == 200 and call.operation in ("CreateDBCluster", "ModifyDBCluster"):
            self.remember_password(proxy, call)
        if status == 200 and body:
            body = self.present(proxy, call, body)
        return status, body

    # ---- the master password, for tests to check ----
    #
    # AWS never shows a master password: a user proves it by logging in. The
    # tests prove it by asking whether a password is the one the provider
    # last set (POST /_strict/rds-master-password {"cluster": ID,
    # "password": P} -> {"matches": bool}); only a digest is kept.

    def remember_password(self, proxy, call):
        password = call.field("MasterUserPassword")
        if password is not None:
            resource = state_of(proxy).cluster(call.region, call.field("DBClusterIdentifier", ""))
            with proxy.lock:
                resource.password_digest = hashlib.sha256(password.encode()).hexdigest()

    def control(self, proxy, command, path, data):
        if path != "/_strict/rds-master-password" or command != "POST":
            return None
        resource = state_of(proxy).cluster(data.get("region", "eu-west-1"), data.get("cluster", ""), create=False)
        digest = hashlib.sha256(str(data.get("password", "")).encode()).hexdigest()
        with proxy.lock:
            known = resource is not None and resource.password_digest is not None
            matches = known and resource.password_digest == digest
        return 200, "application/json", json.dumps({"known": known, "matches": matches}).encode()

    def role_created(self, proxy, body):
        # Remember when each role was made (the IAM propagation rule above);
        # strict_ecs.py keeps the same table.
        m = re.search(rb"<Role>.*?<Arn>([^<]+)</Arn>", body, re.S)
        if m:
            with proxy.lock:
                proxy.state.setdefault("iam_roles_created", {})[m.group(1).decode()] = proxy.now()

    def after_CreateDBCluster(self, proxy, call, status, body):
        if status == 200:
            # AWS provider rds cluster.go waitDBClusterCreated: pending
            # creating, backing-up, modifying, ... target available. A new
            # cluster makes its first automated backup before it is available.
            with proxy.lock:
                rec = state_of(proxy).cluster(call.region, call.field("DBClusterIdentifier"))
                rec.__init__()
                now = proxy.now()
                rec.add_phase("creating", proxy.delay("rds_cluster_create"), now)
                rec.add_phase("backing-up", proxy.delay("rds_backup"), now)
        return status, body

    def after_CreateDBInstance(self, proxy, call, status, body):
        if status == 200:
            # AWS provider rds cluster_instance.go waitDBClusterInstanceAvailable:
            # pending creating, configuring-enhanced-monitoring, backing-up, ...
            # target available. Enhanced monitoring is set up when asked for.
            with proxy.lock:
                rec = state_of(proxy).instance(call.region, call.field("DBInstanceIdentifier"))
                rec.__init__()
                rec.cluster = (call.field("DBClusterIdentifier") or "").lower() or None
                now = proxy.now()
                rec.add_phase("creating", proxy.delay("rds_instance_create"), now)
                if int(call.field("MonitoringInterval", "0") or 0) > 0:
                    rec.add_phase("configuring-enhanced-monitoring", proxy.delay("rds_enhanced_monitoring"), now)
        return status, body

    def modified(self, proxy, call, rec):
        """After a Modify that changed something now: `modifying`, then
        `configuring-iam-database-auth` when IAM authentication changed (AWS
        provider rds cluster.go waitDBClusterUpdated: pending modifying,
        configuring-iam-database-auth, ...)."""
        deferred = getattr(call, "rds_deferred", {})
        changes = [k for k, _ in call.form if k not in NOT_CHANGES and k not in deferred]
        if not changes:
            return
        now = proxy.now()
        rec.add_phase("modifying", proxy.delay("rds_modify"), now)
        iam = call.field("EnableIAMDatabaseAuthentication")
        current = getattr(call, "rds_current", {}) or {}
        if iam is not None and is_true(iam) != bool(current.get("IAMDatabaseAuthenticationEnabled")):
            rec.add_phase("configuring-iam-database-auth", proxy.delay("rds_iam_auth"), now)

    def after_ModifyDBCluster(self, proxy, call, status, body):
        return self.after_modify(proxy, call, status, body, state_of(proxy).cluster, "DBClusterIdentifier")

    def after_ModifyDBInstance(self, proxy, call, status, body):
        return self.after_modify(proxy, call, status, body, state_of(proxy).instance, "DBInstanceIdentifier")

    def after_modify(self, proxy, call, status, body, record_of, id_member):
        """A modification RDS took: what it deferred waits as pending, and
        the record goes through the states the change brings."""
        if status == 200:
            with proxy.lock:
                rec = record_of(call.region, call.field(id_member))
                rec.pending.update(getattr(call, "rds_deferred", {}))
                self.modified(proxy, call, rec)
        return status, body

    def after_AddRoleToDBCluster(self, proxy, call, status, body):
        if status == 200:
            # AWS provider rds cluster_role_association.go
            # waitDBClusterRoleAssociationCreated: pending PENDING, target
            # ACTIVE (RDS API reference, DBClusterRole Status: "PENDING - the
            # IAM role ARN is being associated with the DB cluster").
            with proxy.lock:
                rec = state_of(proxy).cluster(call.region, call.field("DBClusterIdentifier"))
                rec.roles[call.field("RoleArn")] = proxy.now() + proxy.delay("rds_role_association")
        return status, body

    def after_DeleteDBInstance(self, proxy, call, status, body):
        if status == 200:
            # AWS provider rds cluster_instance.go waitDBClusterInstanceDeleted:
            # pending deleting, ... until DBInstanceNotFound. moto forgets the
            # instance at once; the proxy shows the answer's copy as deleting.
            root = parse(body)
            db = elements(root, "DBInstance")[0] if root is not None and elements(root, "DBInstance") else None
            if db is not None:
                set_child(db, "DBInstanceStatus", "deleting")
                with proxy.lock:
                    rec = state_of(proxy).instance(call.region, call.field("DBInstanceIdentifier"))
                    rec.timeline = []
                    rec.ghost = (copy.deepcopy(db), proxy.now() + proxy.delay("rds_delete"))
                    rec.cluster = (child_text(db, "DBClusterIdentifier") or "").lower() or None
        return status, body

    def after_DeleteDBCluster(self, proxy, call, status, body):
        if status != 200:
            return status, body
        ident = call.field("DBClusterIdentifier", "")
        # AWS provider rds cluster.go waitDBClusterDeleted: pending available,
        # backing-up, deleting, ... until DBClusterNotFoundFault.
        root = parse(body)
        found = elements(root, "DBCluster") if root is not None else []
        with proxy.lock:
            rec = state_of(proxy).cluster(call.region, ident)
            rec.timeline, rec.roles, rec.pending = [], {}, {}
            if found:
                set_child(found[0], "Status", "deleting")
                rec.ghost = (copy.deepcopy(found[0]), proxy.now() + proxy.delay("rds_delete"))
                body = serialize(root)
        # RDS API reference, DeleteDBCluster DeleteAutomatedBackups: the
        # automated backups go with the cluster unless it is false. moto
        # keeps its automated snapshot (rds:<cluster>-<time>), whose name
        # then blocks a new cluster of the same name.
        if call.field("DeleteAutomatedBackups", "true").lower() != "false":
            client = proxy.client("rds", call.region)
            try:
                for snap in client.describe_db_cluster_snapshots(DBClusterIdentifier=ident.lower(),
                                                                 SnapshotType="automated")["DBClusterSnapshots"]:
                    if snap["DBClusterSnapshotIdentifier"].startswith("rds:"):
                        client.delete_db_cluster_snapshot(DBClusterSnapshotIdentifier=snap["DBClusterSnapshotIdentifier"])
            except Exception as e:  # noqa: BLE001 - evening out, not the product
                proxy.log(f"rds: automated snapshots of {ident} not deleted: {e}")
        return status, body

    def after_DescribeDBClusters(self, proxy, call, status, body):
        return self.with_ghosts(proxy, call, status, body, "DBCluster", "DBClusters",
                                state_of(proxy).clusters, "DBClusterIdentifier", "db-cluster-id",
                                "DBClusterNotFoundFault")

    def after_DescribeDBInstances(self, proxy, call, status, body):
        return self.with_ghosts(proxy, call, status, body, "DBInstance", "DBInstances",
                                state_of(proxy).instances, "DBInstanceIdentifier", "db-instance-id",
                                "DBInstanceNotFound")

    def with_ghosts(self, proxy, call, status, body, kind, list_name, table, id_member, id_filter, not_found):
        """Deleted clusters/instances still listed, as `deleting`, where the
        request would have found them."""
        now = proxy.now()
        asked = (call.field(id_member) or "").lower()
        by_id = filter_values(call, id_filter)
        by_cluster = filter_values(call, "db-cluster-id") if kind == "DBInstance" else []
        with proxy.lock:
            ghosts = []
            for (region, ident), rec in table.items():
                if region != call.region or not rec.ghost or rec.ghost[1] <= now:
                    continue
                if asked and ident != asked:
                    continue
                if by_id and ident not in by_id:
                    continue
                if by_cluster and rec.cluster not in by_cluster:
                    continue
                if has_filters(call) and not (by_id or by_cluster):
                    continue  # filtered on something the proxy does not track
                ghosts.append((ident, copy.deepcopy(rec.ghost[0])))
        if not ghosts:
            return status, body
        if status != 200:
            if not asked or not re.search(rb"<Code>" + not_found.encode() + rb"</Code>", body):
                return status, body
            status = 200
            body = (f'<Describe{list_name}Response xmlns="{RDS_NS}"><Describe{list_name}Result><{list_name}/>'
                    f"</Describe{list_name}Result><ResponseMetadata><RequestId>strict-proxy</RequestId>"
                    f"</ResponseMetadata></Describe{list_name}Response>").encode()
        root = parse(body)
        if root is None:
            return status, body
        holders = elements(root, list_name)
        if not holders:
            return status, body
        present = {(child_text(e, id_member) or "").lower() for e in elements(root, kind)}
        for ident, element in ghosts:
            if ident not in present:
                holders[0].append(element)
        return status, serialize(root)

    def present(self, proxy, call, body):
        """Every RDS answer: identifiers lower-cased, and the states, role
        associations and pending modifications the proxy keeps."""
        if b"<DB" not in body:
            return body
        root = parse(body)
        if root is None:
            return body
        changed = False
        for el in root.iter():
            if local(el.tag) in LOWER_ELEMENTS and len(el) == 0 and el.text and el.text != el.text.lower():
                el.text = el.text.lower()
                changed = True
        st = state_of(proxy)
        now = proxy.now()
        for el in elements(root, "DBCluster"):
            # RDS API reference, CreateDBCluster EngineVersion: a major
            # version alone ("15") makes a cluster of that major's default
            # minor version, and that is what Describe answers from then on
            # (which minor is the default changes over time; the layer
            # answers <major>.4).
            version = child_text(el, "EngineVersion")
            if version and re.fullmatch(r"[0-9]+", version):
                set_child(el, "EngineVersion", version + ".4")
                changed = True
        with proxy.lock:
            for el in elements(root, "DBCluster"):
                rec = st.cluster(call.region, child_text(el, "DBClusterIdentifier"), create=False)
                if rec is None:
                    continue
                changed |= self.present_one(el, rec, now, "Status")
                roles = child(el, "AssociatedRoles")
                for role in list(roles) if roles is not None else []:
                    until = rec.roles.get(child_text(role, "RoleArn"))
                    if until is not None and until > now:
                        set_child(role, "Status", "PENDING")
                        changed = True
            for el in elements(root, "DBInstance"):
                rec = st.instance(call.region, child_text(el, "DBInstanceIdentifier"), create=False)
                if rec is not None:
                    changed |= self.present_one(el, rec, now, "DBInstanceStatus")
        return serialize(root) if changed else body

    def present_one(self, el, rec, now, status_member):
        changed = False
        if rec.ghost and rec.ghost[1] > now:
            return False  # the answer of the delete itself: already deleting
        imposed = rec.status(now)
        current = child_text(el, status_member)
        if imposed and current in ("available", "creating", "modifying", "backing-up", None):
            set_child(el, status_member, imposed)
            changed = True
        elif not imposed and current == "creating":
            # moto's own first `creating`: the proxy's timeline is over.
            set_child(el, status_member, "available")
            changed = True
        if rec.pending:
            pending = child(el, "PendingModifiedValues")
            if pending is None:
                pending = ET.SubElement(el, ns_tag(el, "PendingModifiedValues"))
            for member, value in rec.pending.items():
                set_child(pending, member, value)
            changed = True
        return changed


def maintenance(proxy):
    """POST /_strict/maintenance: the maintenance window is now. Each held-back
    modification is applied (re-issued to moto with ApplyImmediately) and
    PendingModifiedValues empties. Returns what was applied."""
    st = state_of(proxy)
    with proxy.lock:
        work = [("cluster", key, dict(rec.pending)) for key, rec in st.clusters.items() if rec.pending]
        work += [("instance", key, dict(rec.pending)) for key, rec in st.instances.items() if rec.pending]
    done = []
    for kind, (region, ident), pending in work:
        client = proxy.client("rds", region)
        if kind == "cluster":
            client.modify_db_cluster(DBClusterIdentifier=ident, ApplyImmediately=True, AllowMajorVersionUpgrade=True,
                                     **pending)
            table = st.clusters
        else:
            client.modify_db_instance(DBInstanceIdentifier=ident, ApplyImmediately=True, **pending)
            table = st.instances
        with proxy.lock:
            rec = table.get((region, ident))
            if rec:
                for member in pending:
                    rec.pending.pop(member, None)
        done.append({"kind": kind, "region": region, "id": ident, "applied": pending})
    return done


class Ec2:
    """EC2's side of RDS: security groups in use."""

    def before(self, proxy, call):
        if call.service != "ec2" or call.operation != "DeleteSecurityGroup":
            return None
        group = call.field("GroupId")
        if not group:
            return None
        # A group that an RDS cluster's network interfaces use cannot be
        # deleted: EC2 answers DependencyViolation "resource <group> has a
        # dependent object" (EC2 API reference, DeleteSecurityGroup: "If you
        # attempt to delete a security group that is associated with an
        # instance or network interface ... the operation fails with
        # DependencyViolation"). A deleted cluster's interfaces linger while
        # it is deleting and for ec2_eni_release after; moto knows nothing of
        # RDS's interfaces.
        in_use = False
        try:
            for cluster in proxy.client("rds", call.region).describe_db_clusters()["DBClusters"]:
                if any(g.get("VpcSecurityGroupId") == group for g in cluster.get("VpcSecurityGroups", [])):
                    in_use = True
        except Exception as e:  # noqa: BLE001
            proxy.log(f"ec2: clusters not listed: {e}")
        now = proxy.now()
        with proxy.lock:
            for (region, _), rec in state_of(proxy).clusters.items():
                if region != call.region or not rec.ghost:
                    continue
                if rec.ghost[1] + proxy.delay("ec2_eni_release") <= now:
                    continue
                if any(child_text(m, "VpcSecurityGroupId") == group for m in elements(rec.ghost[0], "VpcSecurityGroupMembership")):
                    in_use = True
        if in_use:
            return proxy.error(call, 400, "DependencyViolation", f"resource {group} has a dependent object")
        return None


BEHAVIOURS = [Rds(), Ec2()]
