"""check_docs.py: the registry docs match the schema the provider serves.

    check_docs.py SCHEMA_JSON DOCS_DIR PROVIDER_ADDRESS

SCHEMA_JSON is `providers schema -json` output. Checks, for the provider,
every resource, data source and ephemeral resource (the latter only where
the CLI's output has them):
  - its page exists (docs/index.md, docs/resources/<name>.md,
    docs/data-sources/<name>.md, docs/ephemeral-resources/<name>.md) and
    docs/index.md links it;
  - every attribute and nested block of the schema, at any depth, is named
    on the page as `name`;
  - every name in the first column of the page's tables is in the schema.
Prints each problem and exits 1 if there is any."""
import json
import os
import re
import sys

schema_path, docs, address = sys.argv[1:]
with open(schema_path) as f:
    schemas = json.load(f)["provider_schemas"][address]
problems = []


def names(block):
    """Every attribute and block name in a schema block, at any depth."""
    found = set(block.get("attributes", {}))
    for name, nested in block.get("block_types", {}).items():
        found.add(name)
        if name != "timeouts":  # its durations are documented once, in docs/index.md
            found |= names(nested["block"])
    return found


def table_names(text):
    """Names in the first column of the page's tables: | `name` | ..."""
    found = set()
    for line in text.splitlines():
        cell = re.match(r"^\|\s*([^|]+?)\s*\|", line)
        if cell:
            found |= set(re.findall(r"`([a-z_][a-z0-9_]*)`", cell.group(1)))
    return found


def check_page(title, path, block):
    if not os.path.exists(path):
        problems.append(f"{title}: no page {path}")
        return
    with open(path) as f:
        text = f.read()
    documented = set(re.findall(r"`([a-z_][a-z0-9_]*)`", text))
    known = names(block) | {"create", "read", "update", "delete"}
    for name in sorted(names(block) - documented):
        problems.append(f"{title}: `{name}` is in the schema but not on {path}")
    for name in sorted(table_names(text) - known):
        problems.append(f"{title}: `{name}` is in a table on {path} but not in the schema")


with open(os.path.join(docs, "index.md")) as f:
    index = f.read()
check_page("provider", os.path.join(docs, "index.md"), schemas["provider"]["block"])
for kind, folder in (("resource_schemas", "resources"), ("data_source_schemas", "data-sources"),
                     ("ephemeral_resource_schemas", "ephemeral-resources")):
    for type_name, schema in sorted(schemas.get(kind, {}).items()):
        page = f"{folder}/{type_name.removeprefix('wagtail_')}.md"
        if f"]({page})" not in index:
            problems.append(f"{type_name}: docs/index.md does not link {page}")
        check_page(type_name, os.path.join(docs, page), schema["block"])

for p in problems:
    print(p)
sys.exit(1 if problems else 0)
