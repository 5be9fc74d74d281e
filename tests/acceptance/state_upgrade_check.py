#!/usr/bin/env python3
"""state_upgrade_check.py: the JSON side of tests/acceptance/state_upgrade.sh.

Reads a stored state (terraform.tfstate, format 4) written by an older
provider, the CLI's plan of it (`show -json` of a saved plan) and the CLI's
trace log, and says whether today's provider carried every resource over.
Each command prints what it found and exits 1 when the check fails.

  hosts STATE                   the registry hosts of the providers in STATE
  types STATE                   `TYPE COUNT` per resource type in STATE
  covers STATE TYPE...          every TYPE has an instance in STATE
  absent STATE TYPE...          no TYPE has an instance in STATE
  upgraded LOG STATE            the provider logged an upgrade of each
                                type's state, from the version STATE holds,
                                at least once per instance
  same STATE PLAN               the plan's prior state (what the provider's
                                UpgradeResourceState answered) holds every
                                instance of STATE with the same values;
                                attributes STATE lacks are null; every
                                change is a no-op
  alter STATE TYPE ATTR OUT     OUT: STATE with ATTR of TYPE's first
                                instance changed; prints `ADDRESS OLD NEW`
  rename STATE TYPE ATTR NAME OUT
                                OUT: STATE with ATTR of TYPE's first
                                instance stored under NAME, as a state
                                written before a rename would hold it;
                                prints `ADDRESS VALUE`
  one-change PLAN ADDRESS ATTR BEFORE AFTER
                                the plan changes ADDRESS alone, in place,
                                and only ATTR, from BEFORE to AFTER (JSON)
"""
import json
import re
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def managed(state):
    return [r for r in state["resources"] if r.get("mode") == "managed"]


def address(resource, instance):
    key = instance.get("index_key")
    base = f'{resource["type"]}.{resource["name"]}'
    if key is None:
        return base
    return f"{base}[{json.dumps(key)}]"


def instances(state):
    """address -> (type, schema_version, attributes)"""
    out = {}
    for r in managed(state):
        for i in r["instances"]:
            out[address(r, i)] = (r["type"], i.get("schema_version", 0), i["attributes"])
    return out


def fail(message):
    print(message)
    sys.exit(1)


def cmd_hosts(state_path):
    hosts = set()
    for r in load(state_path)["resources"]:
        m = re.match(r'provider\["([^/]+)/', r["provider"])
        hosts.add(m.group(1) if m else "?")
    print(" ".join(sorted(hosts)))


def cmd_types(state_path):
    counts = {}
    for t, _, _ in instances(load(state_path)).values():
        counts[t] = counts.get(t, 0) + 1
    for t in sorted(counts):
        print(t, counts[t])


def cmd_covers(state_path, *types):
    if not types:
        fail("no resource types to look for")
    have = {t for t, _, _ in instances(load(state_path)).values()}
    missing = [t for t in types if t not in have]
    if missing:
        fail(f"no instance of: {' '.join(missing)}")
    print(f"{len(types)} resource types, each with an instance")


def cmd_absent(state_path, *types):
    have = {t for t, _, _ in instances(load(state_path)).values()}
    present = [t for t in types if t in have]
    if present:
        fail(f"listed as newer than the state, yet in it: {' '.join(present)}")
    print(f"none of {len(types)} newer resource types in the state")


def cmd_upgraded(log_path, state_path):
    want = {}
    versions = {}
    for t, v, _ in instances(load(state_path)).values():
        want[t] = want.get(t, 0) + 1
        versions[t] = v
    if not want:
        fail("the state holds no managed resource")
    seen = {}
    # The provider's own line, as go-plugin forwards it into the CLI's log:
    # `provider.terraform-provider-wagtail_v0.1.0: state upgraded: ... from_version=0 ... type=wagtail_x`
    line_re = re.compile(r"provider\.terraform-provider-wagtail[^:]*: state upgraded: (.*)")
    with open(log_path, errors="replace") as f:
        for line in f:
            m = line_re.search(line)
            if not m:
                continue
            fields = dict(re.findall(r"(\w+)=(\S+)", m.group(1)))
            seen.setdefault(fields.get("type"), []).append(fields.get("from_version"))
    problems = []
    for t in sorted(want):
        got = seen.get(t, [])
        if len(got) < want[t]:
            problems.append(f"{t}: {len(got)} upgrades logged for {want[t]} instances")
        elif any(v != str(versions[t]) for v in got):
            problems.append(f"{t}: upgraded from versions {sorted(set(got))}, the state holds {versions[t]}")
    if problems:
        fail("; ".join(problems))
    print(f"{sum(want.values())} instances of {len(want)} types upgraded by the provider "
          f"({sum(len(v) for k, v in seen.items() if k in want)} upgrade calls)")


def compare(path, type_path, stored, upgraded, problems, added):
    """Every stored value carried over as it was, at any depth (blocks are
    objects, or lists and sets of them); attributes the schema gained since
    are null. Adds to problems and to added (TYPE.attr.nested)."""
    if isinstance(stored, dict) and isinstance(upgraded, dict):
        for k, v in stored.items():
            if k not in upgraded:
                problems.append(f"{path}: attribute {k} of the stored state is gone")
            else:
                compare(f"{path}.{k}", f"{type_path}.{k}", v, upgraded[k], problems, added)
        for k in upgraded:
            if k not in stored:
                if upgraded[k] is not None:
                    problems.append(f"{path}.{k}: not in the stored state, yet upgraded to {json.dumps(upgraded[k])}")
                added.add(f"{type_path}.{k}")
    elif (isinstance(stored, list) and isinstance(upgraded, list) and len(stored) == len(upgraded)
          and any(isinstance(v, dict) for v in stored)):
        for i, (a, b) in enumerate(zip(stored, upgraded)):
            compare(f"{path}[{i}]", type_path, a, b, problems, added)
    elif stored != upgraded:
        problems.append(f"{path}: stored {json.dumps(stored)}, upgraded {json.dumps(upgraded)}")


def cmd_same(state_path, plan_path):
    fixture = instances(load(state_path))
    plan = load(plan_path)
    prior = {}
    for r in plan.get("prior_state", {}).get("values", {}).get("root_module", {}).get("resources", []):
        if r.get("mode") == "managed":
            prior[r["address"]] = r
    if not fixture:
        fail("the state holds no managed resource")
    problems = []
    added = set()
    for addr, (t, _, attrs) in sorted(fixture.items()):
        got = prior.get(addr)
        if got is None:
            problems.append(f"{addr}: not in the plan's prior state")
            continue
        compare(addr, t, attrs, got["values"], problems, added)
    extra = sorted(set(prior) - set(fixture))
    if extra:
        problems.append(f"in the prior state only: {' '.join(extra)}")
    changes = [c for c in plan.get("resource_changes", []) if c.get("mode") == "managed"]
    moving = [f'{c["address"]} {"/".join(c["change"]["actions"])}' for c in changes
              if c["change"]["actions"] != ["no-op"]]
    if moving:
        problems.append(f"changes: {'; '.join(moving)}")
    if len(changes) != len(fixture):
        problems.append(f"{len(changes)} resource changes planned for {len(fixture)} instances")
    if problems:
        fail("\n".join(problems))
    print(f"{len(fixture)} instances carried over value for value; new since, null: "
          f"{' '.join(sorted(added)) or 'none'}")


def first_instance(state, type_):
    for r in managed(state):
        if r["type"] == type_ and r["instances"]:
            return r, r["instances"][0]
    fail(f"no instance of {type_} in the state")


def cmd_alter(state_path, type_, attr, out_path):
    state = load(state_path)
    r, i = first_instance(state, type_)
    old = i["attributes"].get(attr)
    if isinstance(old, bool) or old is None:
        fail(f"{type_}.{attr} is {json.dumps(old)}: pick a number or a string the configuration sets")
    new = old + 16 if isinstance(old, (int, float)) else old + "-altered"
    i["attributes"][attr] = new
    with open(out_path, "w") as f:
        json.dump(state, f, indent=2)
    print(address(r, i), json.dumps(old), json.dumps(new))


def cmd_rename(state_path, type_, attr, name, out_path):
    state = load(state_path)
    r, i = first_instance(state, type_)
    if attr not in i["attributes"] or name in i["attributes"]:
        fail(f"{type_} has no {attr}, or has {name} already")
    value = i["attributes"].pop(attr)
    if value is None:
        fail(f"{type_}.{attr} is null: pick one the configuration sets")
    i["attributes"][name] = value
    with open(out_path, "w") as f:
        json.dump(state, f, indent=2)
    print(address(r, i), json.dumps(value))


def cmd_one_change(plan_path, addr, attr, before_json, after_json):
    plan = load(plan_path)
    changes = [c for c in plan.get("resource_changes", []) if c["change"]["actions"] != ["no-op"]]
    if [c["address"] for c in changes] != [addr]:
        fail(f"changed: {[c['address'] + ' ' + '/'.join(c['change']['actions']) for c in changes]}, want {addr} alone")
    change = changes[0]["change"]
    if change["actions"] != ["update"]:
        fail(f"{addr}: {change['actions']}, want an update in place")
    before, after = change["before"], change["after"]
    differ = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    if differ != [attr]:
        fail(f"{addr}: attributes that change: {differ}, want [{attr}]")
    if before[attr] != json.loads(before_json) or after[attr] != json.loads(after_json):
        fail(f"{addr}.{attr}: {json.dumps(before[attr])} -> {json.dumps(after[attr])}, "
             f"want {before_json} -> {after_json}")
    print(f"{addr}.{attr}: {json.dumps(before[attr])} -> {json.dumps(after[attr])}, nothing else")


COMMANDS = {
    "hosts": cmd_hosts, "types": cmd_types, "covers": cmd_covers, "absent": cmd_absent,
    "upgraded": cmd_upgraded, "same": cmd_same, "alter": cmd_alter, "rename": cmd_rename,
    "one-change": cmd_one_change,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        fail(__doc__)
    COMMANDS[sys.argv[1]](*sys.argv[2:])
