"""strict_paging.py: page list answers the way AWS may, not the way moto does.

moto answers a list call with every item on one page, so a provider that
ignores NextToken/Marker passes every test against it and loses resources
against AWS. AWS is free to answer any page with fewer items than the limit
asked for, even none at all on the first page while still handing out a
token (the SSM DescribeParameters reference says so in as many words), and
callers must follow the token until it is absent.

The strict proxy hands this module every successful answer (first) and asks
it before forwarding a request (serve). For an operation botocore's
paginators-1 model lists, an answer to a request without a token is cut into
pages: the full item list is cached under a fresh token and only the first
page goes back; requests carrying one of our tokens are answered from the
cache without reaching moto. First pages alternate, per operation, between
empty (with a token) and min(page_size, the request's limit) items, so both
shapes reach the provider.

Where AWS does not page, neither does this module:
  - EC2 Describe* calls without MaxResults: the EC2 API reference
    ("Pagination") says results are paginated only when MaxResults is set.
  - a call naming the listed resources themselves (DescribeDBClusters with
    DBClusterIdentifier, ECR DescribeRepositories with repositoryNames):
    AWS answers with what was named.
  - paginators with several result keys (IAM GetAccountAuthorizationDetails,
    Logs FilterLogEvents): how AWS spreads several lists over pages is not
    documented, so those pass through whole.
  - rest-json operations whose token travels in the query string when the
    proxy did not give decode() the path: the token would be invisible.
"""

import base64
import collections
import json
import os
import re
import threading
import time
import xml.etree.ElementTree as ET

import strict_model

TOKEN_PREFIX = "sp1"  # tells our tokens from moto's own
MAX_TOKENS = 1024     # live tokens kept; the oldest go first
TOKEN_TTL = 900       # seconds; a provider run follows its tokens within moments


class _Entry:
    """One cached full answer: the original body and where its list lives."""

    def __init__(self, service, operation, protocol, body, config, total, tail_token):
        self.service = service
        self.operation = operation
        self.protocol = protocol
        self.body = body
        self.config = config
        self.total = total
        self.tail_token = tail_token  # moto's own token, handed on after our last page
        self.created = time.monotonic()


class Pager:
    def __init__(self, models, page_size=2, empty_first=True):
        self.models = models
        self.page_size = page_size
        self.empty_first = empty_first
        self._loader = models._loader
        self._paginators = {}  # service -> botocore paginators-1 "pagination"
        self._resolved = {}    # (service, operation) -> resolved config or None
        self._tokens = collections.OrderedDict()  # token -> (entry, offset)
        self._calls = collections.Counter()       # (service, operation) -> first pages served
        self._lock = threading.Lock()
        self.stats = collections.Counter()        # for the proxy's report

    # -- public --

    def serve(self, call):
        """The next page for a request carrying one of our tokens, else None."""
        config = self._config(call)
        if config is None:
            return None
        token = _get(call.params, config["input_token"])
        if not isinstance(token, str) or not token.startswith(TOKEN_PREFIX):
            return None
        with self._lock:
            self._expire()
            found = self._tokens.get(token)
        if found is None:
            return None
        entry, offset = found
        if (entry.service, entry.operation) != (call.service, call.operation):
            return None
        size = self._size(call, config)
        self.stats["served"] += 1
        return self._page(entry, offset, max(size, 1))

    def unknown_token(self, call):
        """A note when the request carries a token shaped like ours that the
        cache does not hold: expired, or mangled on the way (a '+' sent
        unencoded arrives as a space). None otherwise."""
        config = self._config(call)
        if config is None:
            return None
        token = _get(call.params, config["input_token"])
        if not isinstance(token, str) or not token.startswith(TOKEN_PREFIX[:2]):
            return None
        with self._lock:
            if token in self._tokens:
                return None
        return f"{call.service}:{call.operation}: {config['input_token']} {token!r} is not a token this layer handed out (expired or altered)"

    def first(self, call, status, content_type, body):
        """The first page of a successful list answer; anything else unchanged."""
        if not 200 <= status < 300 or not body:
            return body
        config = self._config(call)
        if config is None or not self._pages(call, config):
            return body
        try:
            parsed = self._parse(call.protocol, body)
            if parsed is None:
                return body
            items = self._items(call, config, parsed)
            if items is None:
                return body
            tail = self._token_value(call, config, parsed)
        except (ET.ParseError, ValueError, KeyError, TypeError):
            return body
        total = len(items)
        if total == 0:
            return body
        key = (call.service, call.operation)
        with self._lock:
            n = self._calls[key]
            self._calls[key] += 1
        size = max(self._size(call, config), 1)
        empty = self.empty_first and n % 2 == 0
        if not empty and total <= size:
            return body  # the whole list fits one page: as moto sent it
        entry = _Entry(call.service, call.operation, call.protocol, body, config, total, tail)
        try:
            page = self._page(entry, 0, 0 if empty else size)
        except ValueError:  # e.g. an XML element outside the answer's namespace: leave it whole
            return body
        self.stats["paged"] += 1
        return page

    # -- configuration --

    def _config(self, call):
        """The paginator for this operation, resolved against its models
        once; None when the operation is not paged here."""
        key = (call.service, call.operation)
        with self._lock:
            if key in self._resolved:
                return self._resolved[key]
        raw = self._raw(call.service).get(call.operation)
        resolved = self._resolve(call.service, call.operation, raw) if raw else None
        with self._lock:
            self._resolved[key] = resolved
        return resolved

    def _raw(self, service):
        with self._lock:
            if service in self._paginators:
                return self._paginators[service]
        svc = self.models._service(service)
        raw = {}
        if svc:
            try:
                raw = self._loader.load_service_model(svc.name, "paginators-1")["pagination"]
            except Exception:  # botocore.exceptions.DataNotFoundError: no paginators for this service
                raw = {}
        with self._lock:
            self._paginators[service] = raw
        return raw

    def _resolve(self, service, operation, conf):
        result_key = conf.get("result_key")
        input_token = conf.get("input_token")
        output_token = conf.get("output_token")
        if not isinstance(result_key, str) or not isinstance(input_token, str) or not isinstance(output_token, str):
            return None  # several lists or several tokens: passed through whole
        om = self.models.operation_model(service, operation)
        if om is None or om.output_shape is None or om.input_shape is None:
            return None
        if input_token not in om.input_shape.members:
            return None
        protocol = om.metadata.get("protocol")
        out = {"input_token": input_token, "output_token": output_token, "result_key": result_key,
               "limit_key": conf.get("limit_key"), "more_results": conf.get("more_results"),
               "wrapper": om.output_shape.serialization.get("resultWrapper"),
               "input_location": om.input_shape.members[input_token].serialization.get("location")}
        # Wire (XML) names for the dotted paths: locationName where the
        # output shape sets one (EC2 writes subnetSet, nextToken).
        if protocol in ("query", "ec2"):
            try:
                out["xml_result"] = _xml_path(om.output_shape, result_key)
                out["xml_token"] = _xml_path(om.output_shape, output_token)
                out["xml_more"] = _xml_path(om.output_shape, conf["more_results"]) if conf.get("more_results") else None
            except KeyError:
                return None
            if _shape_at(om.output_shape, result_key).serialization.get("flattened"):
                return None  # items repeat inside the parent: not worth the special case here
        # Lookups: optional members naming the very resources the list holds
        # (DBClusterIdentifier for DBClusters, DBSubnetGroupName for
        # DBSubnetGroups, repositoryNames for repositories, imageIds for imageDetails). AWS answers
        # those with what was named. A member naming something else
        # (logGroupName for DescribeLogStreams) scopes a list that AWS pages.
        listed = _singular(result_key.rsplit(".", 1)[-1])
        out["lookups"] = [m for m in om.input_shape.members
                          if m not in om.input_shape.required_members and _names(m) in (listed, listed[:-6] if listed.endswith("detail") else listed)]
        return out

    def _pages(self, call, config):
        params = call.params or {}
        if _get(params, config["input_token"]) not in (None, ""):
            return False  # a follow-up page of moto's own: passed through
        if config["input_token"] in params.get(strict_model.UNCHECKED, ()):
            return False
        if call.protocol == "ec2" and config["limit_key"] and _get(params, config["limit_key"]) in (None, ""):
            return False
        if any(params.get(m) not in (None, "") for m in config["lookups"]):
            return False
        return True

    def _size(self, call, config):
        size = self.page_size
        if config["limit_key"]:
            limit = _get(call.params or {}, config["limit_key"])
            try:
                if limit not in (None, ""):
                    size = min(size, int(limit))
            except (TypeError, ValueError):
                pass
        return size

    # -- answers --

    def _parse(self, protocol, body):
        if protocol in ("query", "ec2"):
            return ET.fromstring(body)
        data = json.loads(body)
        return data if isinstance(data, dict) else None

    def _items(self, call, config, parsed):
        if call.protocol in ("query", "ec2"):
            container = self._xml_container(parsed, config)
            if container is None:
                return None
            lst = _xml_find(container, config["xml_result"])
            return [] if lst is None else list(lst)
        value = _get(parsed, config["result_key"])
        return value if isinstance(value, list) else ([] if value is None else None)

    def _token_value(self, call, config, parsed):
        if call.protocol in ("query", "ec2"):
            container = self._xml_container(parsed, config)
            el = _xml_find(container, config["xml_token"])
            if el is None or not (el.text or "").strip():
                return None
            if config["more_results"]:
                more = _xml_find(container, config["xml_more"])
                if more is not None and (more.text or "").strip() != "true":
                    return None
            return el.text.strip()
        value = _get(parsed, config["output_token"])
        return value or None

    def _xml_container(self, root, config):
        if config["wrapper"]:
            return next((c for c in root if _local(c.tag) == config["wrapper"]), None)
        return root

    def _page(self, entry, offset, size):
        """Items [offset, offset+size) of the cached answer, with a token for
        the rest (or moto's own token, or none, after the last item)."""
        end = min(offset + size, entry.total)
        if end < entry.total:
            token = self._new_token(entry, end)
        else:
            token = entry.tail_token
        config = entry.config
        if entry.protocol in ("query", "ec2"):
            return self._xml_page(entry, config, offset, end, token)
        data = json.loads(entry.body)
        _set(data, config["result_key"], _get(data, config["result_key"])[offset:end])
        if token is None:
            _delete(data, config["output_token"])
        else:
            _set(data, config["output_token"], token)
        if config["more_results"]:
            _set(data, config["more_results"], token is not None)
        return json.dumps(data).encode()

    def _xml_page(self, entry, config, offset, end, token):
        root = ET.fromstring(entry.body)
        ns = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else None
        container = self._xml_container(root, config)
        lst = _xml_find(container, config["xml_result"])
        items = list(lst)
        for el in items:
            lst.remove(el)
        for el in items[offset:end]:
            lst.append(el)
        token_parent, token_name = _xml_parent(container, config["xml_token"], ns)
        _xml_set(token_parent, token_name, token, ns)
        if config["more_results"]:
            more_parent, more_name = _xml_parent(container, config["xml_more"], ns)
            _xml_set(more_parent, more_name, "true" if token is not None else "false", ns)
        declaration = entry.body.lstrip().startswith(b"<?xml")
        text = ET.tostring(root, encoding="unicode", default_namespace=ns) if ns else ET.tostring(root, encoding="unicode")
        return ((b'<?xml version="1.0" encoding="UTF-8"?>\n' if declaration else b"") + text.encode("utf-8"))

    def _new_token(self, entry, offset):
        token = TOKEN_PREFIX + base64.b64encode(os.urandom(15)).decode() + "=="
        # base64 brings '+' and '/' (and the '=' tail) as AWS's own tokens do,
        # so a token that is not URL-encoded on the way back shows up here.
        with self._lock:
            self._tokens[token] = (entry, offset)
            while len(self._tokens) > MAX_TOKENS:
                self._tokens.popitem(last=False)
        return token

    def _expire(self):
        now = time.monotonic()
        while self._tokens:
            token, (entry, _) = next(iter(self._tokens.items()))
            if now - entry.created < TOKEN_TTL:
                break
            self._tokens.popitem(last=False)


# ---------------------------------------------------------------- helpers --

def _singular(name):
    name = name.lower()
    if name.endswith("ies"):
        return name[:-3] + "y"
    return name[:-1] if name.endswith("s") else name


def _names(member):
    """The resource a member names: DBClusterIdentifier -> dbcluster,
    repositoryNames -> repository; None for other members."""
    m = re.fullmatch(r"(.+?)(Identifier|Name|Id|Arn)s?", member)
    return _singular(m.group(1)) if m else None


def _get(data, path):
    for part in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def _set(data, path, value):
    parts = path.split(".")
    for part in parts[:-1]:
        data = data.setdefault(part, {})
    data[parts[-1]] = value


def _delete(data, path):
    parts = path.split(".")
    for part in parts[:-1]:
        data = data.get(part)
        if not isinstance(data, dict):
            return
    data.pop(parts[-1], None)


def _shape_at(shape, path):
    for part in path.split("."):
        shape = shape.members[part]
    return shape


def _xml_path(shape, path):
    names = []
    for part in path.split("."):
        member = shape.members[part]
        names.append(member.serialization.get("name", part))
        shape = member
    return names


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def _xml_find(el, names):
    for name in names:
        if el is None:
            return None
        el = next((c for c in el if _local(c.tag) == name), None)
    return el


def _xml_parent(container, names, ns):
    parent = container
    for name in names[:-1]:
        child = _xml_find(parent, [name])
        if child is None:
            child = ET.SubElement(parent, f"{{{ns}}}{name}" if ns else name)
        parent = child
    return parent, names[-1]


def _xml_set(parent, name, text, ns):
    el = _xml_find(parent, [name])
    if text is None:
        if el is not None:
            parent.remove(el)
        return
    if el is None:
        el = ET.SubElement(parent, f"{{{ns}}}{name}" if ns else name)
    el.text = text
