"""strict_model.py: what AWS would say about a request, judged by botocore's
service models.

moto accepts nearly anything: a misspelt form key, a list written with the
wrong member name, a password AWS would refuse. The strict AWS layer
(strict_proxy.py) sits in front of moto and asks this module two questions
about every request the provider sends:

  decode    the wire request (form body, EC2 form body, JSON body) turned
            back into the member names of the operation's input shape, the
            way AWS's front end reads it. Any form key that no member of the
            shape accounts for is kept, because AWS answers such a request
            with an error (or, worse, silently ignores a setting the
            provider believes it sent).
  validate  the constraints the model states: required members, member
            names, types, length/value ranges, patterns, enums.

and one about every answer moto sends back:

  wire_code the error code AWS puts on the wire for an error shape; moto
            sometimes sends the shape name (DBSubnetGroupAlreadyExistsFault)
            where AWS sends the model's error.code (DBSubnetGroupAlreadyExists).

Values of members whose shape is `sensitive` (master passwords, SecureString
parameter values) never appear in a violation: only their length does.
"""

import base64
import binascii
import datetime
import json
import re
import threading
import unicodedata
import urllib.parse

import botocore.loaders
import botocore.model

# Keys decode() may add to its result; they never clash with a member name
# (member names are identifiers without leading underscores).
UNKNOWN = "__unknown__"      # wire names no member of the input shape accounts for
ERRORS = "__errors__"        # other problems found while decoding (duplicates, index gaps, bad JSON)
UNCHECKED = "__unchecked__"  # members decode could not see (rest-json path parts when no path was given)
UNDECODABLE = "__undecodable__"  # the body could not be read at all: no member checks follow
RESERVED = (UNKNOWN, ERRORS, UNCHECKED, UNDECODABLE)

# Patterns that Python's re cannot compile even after translation from Java
# syntax: (service, shape, pattern, reason). Validation skips them; the test
# and the proxy can print this set so the gap stays visible.
SKIPPED_PATTERNS = set()

# Constraints AWS documents and enforces that botocore's models do not carry
# as traits. RDS's CreateDBCluster/ModifyDBCluster say in the member's
# documentation: "Must contain from 8 to 41 characters. Can contain any
# printable ASCII character except "/", """, or "@"." and RDS answers a space
# with "Only printable ASCII characters besides '/', '@', '"', ' ' may be
# used." The model's SensitiveString shape has no min, max or pattern.
# Keyed by (service, operation, member name at the top level).
_PASSWORD = {"min": 8, "max": 41, "pattern": r"[!#-.0-?A-~]*",
             "pattern_text": "printable ASCII other than space, '/', '\"', '@'"}
DOCUMENTED = {
    ("rds", "CreateDBCluster", "MasterUserPassword"): _PASSWORD,
    ("rds", "ModifyDBCluster", "MasterUserPassword"): _PASSWORD,
}

# SigV4 signing names whose botocore model is named differently. For the ten
# services this project talks to the names agree; the table covers the
# common exceptions so an unexpected service does not cost a scan of every
# model on disk.
SIGNING_ALIASES = {
    "execute-api": "apigateway",
    "states": "stepfunctions",
    "monitoring": "cloudwatch",
    "email": "ses",
    "iotdata": "iot-data",
    "es": "es",
}

_INT_RANGE = {"integer": (-2**31, 2**31 - 1), "long": (-2**63, 2**63 - 1)}
_QUERY_INT = re.compile(r"-?[0-9]+")
_ISO8601 = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:?[0-9]{2})?")
_JSON_TYPES = {"string": str, "structure": dict, "map": dict, "list": list}


# ---------------------------------------------------------------- patterns --
# botocore's patterns are written for Java's java.util.regex (the services
# are Java). Python's re differs in a few constructs: \p{..} classes, \z,
# '-' after a class escape inside [...]. Translate those; give up on the rest.

_POSIX = {
    "ASCII": "\\x00-\\x7f", "Alnum": "0-9A-Za-z", "Alpha": "A-Za-z",
    "Digit": "0-9", "XDigit": "0-9A-Fa-f", "Upper": "A-Z", "Lower": "a-z",
    "Graph": "\\x21-\\x7e", "Print": "\\x20-\\x7e", "Blank": " \\t",
    "Space": " \\t\\n\\x0b\\f\\r", "Cntrl": "\\x00-\\x1f\\x7f",
    "Punct": "!-/:-@\\[-`{-~", "all": "\\x00-\\U0010ffff",
}
_category_cache = {}
_category_lock = threading.Lock()


def _esc(cp):
    return "\\U%08x" % cp if cp > 0xFFFF else "\\u%04x" % cp


_runs = None


def _category_runs():
    """(start, end, category) runs over all code points, computed once: one
    pass over unicodedata is cheaper than one per \\p{..} class."""
    global _runs
    if _runs is None:
        runs, start, cur = [], 0, unicodedata.category("\0")
        for cp in range(1, 0x110000):
            c = unicodedata.category(chr(cp))
            if c != cur:
                runs.append((start, cp - 1, cur))
                start, cur = cp, c
        runs.append((start, 0x10FFFF, cur))
        _runs = runs
    return _runs


def _ranges(pred):
    """Code point ranges whose category satisfies pred, merged."""
    out = []
    for a, b, cat in _category_runs():
        if pred(cat):
            if out and out[-1][1] == a - 1:
                out[-1] = (out[-1][0], b)
            else:
                out.append((a, b))
    return out


def _class_body(name, negate):
    """The inside of a [...] matching \\p{name} (or \\P{name} if negate)."""
    key = (name, negate)
    with _category_lock:
        if key in _category_cache:
            return _category_cache[key]
    if name in _POSIX:
        body = _POSIX[name]
        if negate:
            raise ValueError(f"unsupported negated class \\P{{{name}}}")
    else:
        if name == "IsAlphabetic":
            test = lambda cat: cat[0] == "L" or cat == "Nl"
        else:
            cat_name = name[2:] if name.startswith("Is") else name
            if not re.fullmatch(r"[LMNPSZC][a-z]?", cat_name):
                raise ValueError(f"unsupported class \\p{{{name}}}")
            if len(cat_name) == 1:
                test = lambda cat: cat[0] == cat_name
            else:
                test = lambda cat: cat == cat_name
        if negate:
            positive = test
            test = lambda cat: not positive(cat)
        body = "".join(_esc(a) if a == b else _esc(a) + "-" + _esc(b) for a, b in _ranges(test))
    with _category_lock:
        _category_cache[key] = body
    return body


def java_to_python(pattern):
    """Translate a Java regex as found in botocore models to Python re syntax.
    Raises ValueError for constructs with no faithful translation."""
    out = []
    i, n = 0, len(pattern)
    in_class = False
    after_class_escape = False  # '-' right after \w or \p{..} inside [...] is literal in Java
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            d = pattern[i + 1]
            if d in "pP":
                m = re.match(r"\{(\^?)([A-Za-z]+)\}|([A-Za-z])", pattern[i + 2:])
                if not m:
                    raise ValueError("malformed \\p")
                name = m.group(2) or m.group(3)
                negate = (d == "P") != bool(m.group(1))
                i += 2 + m.end()
                if in_class:
                    out.append(_class_body(name, negate))
                    after_class_escape = True
                else:
                    out.append("[" + _class_body(name, negate) + "]")
                continue
            if d == "u" and re.match(r"u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}", pattern[i + 1:i + 13]):
                # Java writes a supplementary code point as a UTF-16 pair.
                hi, lo = int(pattern[i + 2:i + 6], 16), int(pattern[i + 8:i + 12], 16)
                out.append(_esc(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)))
                i += 12
                after_class_escape = False
                continue
            if d == "x" and pattern.startswith("{", i + 2):
                end = pattern.index("}", i + 2)
                out.append(_esc(int(pattern[i + 3:end], 16)))
                i = end + 1
                after_class_escape = False
                continue
            if d == "z":
                out.append("\\Z")
            elif d == "Z":
                out.append("(?=\\n?\\Z)")
            elif d == "Q":
                end = pattern.find("\\E", i + 2)
                end = n if end < 0 else end
                out.append(re.escape(pattern[i + 2:end]))
                i = end + 2
                continue
            elif d in "hHvVRX" or d == "G":
                raise ValueError(f"unsupported escape \\{d}")
            else:
                out.append(c + d)
            after_class_escape = in_class and d in "wWdDsS"
            i += 2
            continue
        if in_class:
            if c == "[":
                raise ValueError("nested character class")
            if c == "&" and pattern.startswith("&&", i):
                raise ValueError("class intersection &&")
            if c in "|~&":
                # Literal in a Java class; Python reserves doubled forms for set operations.
                out.append("\\" + c)
                i += 1
                after_class_escape = False
                continue
            if c == "-" and after_class_escape and i + 1 < n and pattern[i + 1] != "]":
                out.append("\\-")
                after_class_escape = False
                i += 1
                continue
            if c == "]" and out and out[-1] != "[" and out[-1] != "[^":
                in_class = False
            out.append(c)
        elif c == "[":
            in_class = True
            if pattern.startswith("[^", i):
                out.append("[^")
                i += 2
                if i < n and pattern[i] == "]":  # a leading ']' is literal
                    out.append("\\]")
                    i += 1
                continue
            out.append("[")
            i += 1
            if i < n and pattern[i] == "]":
                out.append("\\]")
                i += 1
            continue
        else:
            out.append(c)
        after_class_escape = False
        i += 1
    return "".join(out)


# ------------------------------------------------------------------ models --

class _Service:
    """One botocore service model, with the per-shape caches validation needs."""

    def __init__(self, name, data):
        self.name = name
        self.data = data
        self.shapes = data["shapes"]
        self.operations = data["operations"]
        self.protocol = data["metadata"].get("protocol")
        self.patterns = {}
        self.lock = threading.Lock()
        self._model = None
        self._errors = None

    def pattern(self, service, shape_name, shape):
        with self.lock:
            if shape_name in self.patterns:
                return self.patterns[shape_name]
        java = shape["pattern"]
        try:
            compiled = re.compile(java_to_python(java), re.S)
        except (ValueError, re.error) as e:
            compiled = None
            SKIPPED_PATTERNS.add((service, shape_name, java, str(e)))
        with self.lock:
            self.patterns[shape_name] = compiled
        return compiled

    def model(self):
        with self.lock:
            if self._model is None:
                self._model = botocore.model.ServiceModel(self.data, service_name=self.name)
            return self._model

    def errors(self):
        with self.lock:
            if self._errors is None:
                self._errors = {name: shape["error"]["code"]
                                for name, shape in self.shapes.items()
                                if shape.get("exception") and shape.get("error", {}).get("code")
                                and shape["error"]["code"] != name}
            return self._errors


def _member_sensitive(svc, member_ref):
    return bool(member_ref.get("sensitive") or svc.shapes[member_ref["shape"]].get("sensitive"))


class Models:
    """botocore service models, loaded once per service on first use."""

    def __init__(self):
        self._loader = botocore.loaders.create_loader()
        self._services = {}
        self._signing = None
        self._lock = threading.Lock()

    # -- loading --

    def _service(self, service):
        with self._lock:
            svc = self._services.get(service)
        if svc is not None:
            return svc
        name = self._model_name(service)
        data = self._loader.load_service_model(name, "service-2") if name else None
        svc = _Service(name, data) if data else False
        with self._lock:
            return self._services.setdefault(service, svc)

    def _model_name(self, service):
        available = set(self._loader.list_available_services("service-2"))
        if service in available:
            return service
        if service in SIGNING_ALIASES and SIGNING_ALIASES[service] in available:
            return SIGNING_ALIASES[service]
        # Last resort, once per process: read every model's signing name.
        with self._lock:
            signing = self._signing
        if signing is None:
            signing = {}
            for name in sorted(available):
                md = self._loader.load_service_model(name, "service-2")["metadata"]
                signing.setdefault(md.get("signingName") or md.get("endpointPrefix") or name, name)
            with self._lock:
                self._signing = signing
        return signing.get(service)

    def operation_model(self, service, operation):
        svc = self._service(service)
        if not svc or operation not in svc.operations:
            return None
        return svc.model().operation_model(operation)

    def wire_code(self, service, code):
        svc = self._service(service)
        if not svc:
            return code
        return svc.errors().get(code, code)

    # -- decode --

    def decode(self, service, operation, protocol, headers, body, path=None):
        """The request as botocore-shaped params. `path` (optional, with its
        query string) lets rest-json members located in the URI be read."""
        svc = self._service(service)
        if isinstance(body, str):
            body = body.encode()
        body = body or b""
        op = svc.operations.get(operation) if svc else None
        shape = svc.shapes[op["input"]["shape"]] if op and op.get("input") else None
        if protocol in ("query", "ec2"):
            if not body.strip() and path and "?" in path:
                # A Query request may travel as a GET with the form in the URL.
                body = urllib.parse.urlsplit(path).query.encode()
            return self._decode_form(svc, shape, protocol, body)
        if protocol == "rest-json":
            return self._decode_rest_json(svc, op, shape, headers, body, path)
        return self._decode_json(svc, shape, body)

    def _decode_form(self, svc, shape, protocol, body):
        problems = []
        try:
            pairs = urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True,
                                           strict_parsing=False)
        except UnicodeDecodeError:
            return {ERRORS: ["form body is not UTF-8"], UNDECODABLE: True}
        form = {}
        for k, v in pairs:
            if k in form:
                problems.append(f"{k}: given more than once")
            form[k] = v
        form.pop("Action", None)
        form.pop("Version", None)
        result = {}
        if shape is not None:
            # Every dotted prefix of every key, so absent members are skipped
            # without scanning the form for each of a shape's many members.
            prefixes = set()
            for k in form:
                parts = k.split(".")
                for j in range(1, len(parts) + 1):
                    prefixes.add(".".join(parts[:j]))
            walker = _FormWalker(svc, protocol == "ec2", form, prefixes, problems)
            result = walker.structure(shape, "") or {}
            left = sorted(k for k in form if k not in walker.consumed)
        else:
            left = sorted(form)
        if left:
            result[UNKNOWN] = left
        if problems:
            result[ERRORS] = problems
        return result

    def _decode_json(self, svc, shape, body):
        if not body.strip():
            return {}
        try:
            data = json.loads(body)
        except ValueError as e:
            return {ERRORS: [f"body is not JSON ({e.__class__.__name__})"], UNDECODABLE: True}
        if not isinstance(data, dict):
            return {ERRORS: ["body is not a JSON object"], UNDECODABLE: True}
        return _rename_json(svc, shape, data) if shape is not None else data

    def _decode_rest_json(self, svc, op, shape, headers, body, path):
        if shape is None:
            return self._decode_json(svc, None, body)
        members = shape.get("members", {})
        payload = shape.get("payload")
        result = {}
        problems = []
        unchecked = []
        if payload:
            ref = members[payload]
            target = svc.shapes[ref["shape"]]
            if target["type"] == "structure":
                decoded = self._decode_json(svc, target, body)
                if body.strip():
                    result[payload] = decoded
            elif body:
                result[payload] = base64.b64encode(body).decode() if target["type"] == "blob" else body.decode("utf-8", "replace")
        else:
            body_members = {k: v for k, v in members.items() if not v.get("location")}
            decoded = self._decode_json(svc, {"type": "structure", "members": body_members}, body)
            result.update(decoded)
        uri_values, query_values = {}, {}
        if path is not None:
            split = urllib.parse.urlsplit(path)
            uri_values = _match_uri(op["http"]["requestUri"], split.path)
            if uri_values is None:
                problems.append(f"path {split.path} does not match {op['http']['requestUri']}")
                uri_values = {}
            query_values = dict(urllib.parse.parse_qsl(split.query, keep_blank_values=True))
        for name, ref in members.items():
            loc = ref.get("location")
            wire = ref.get("locationName", name)
            raw = None
            if loc == "header":
                raw = _header(headers, wire)
            elif loc == "uri":
                if path is None:
                    unchecked.append(name)
                raw = uri_values.get(wire)
            elif loc == "querystring":
                if path is None:
                    unchecked.append(name)
                raw = query_values.get(wire)
            if raw is None:
                continue
            value, bad = _from_string(svc.shapes[ref["shape"]], raw)
            if bad:
                problems.append(f"{name}: {bad}")
            result[name] = value
        if problems:
            result[ERRORS] = result.get(ERRORS, []) + problems
        if unchecked:
            result[UNCHECKED] = unchecked
        return result

    # -- validate --

    def validate(self, service, operation, params):
        svc = self._service(service)
        where = f"{service}:{operation}"
        if not svc:
            return [f"{where}: no botocore model for service {service}"]
        op = svc.operations.get(operation)
        if op is None:
            return [f"{where}: {service} has no operation {operation}"]
        out = []
        params = dict(params or {})
        for k in params.pop(UNKNOWN, []):
            out.append(f"{where}: {k}: unknown parameter")
        for e in params.pop(ERRORS, []):
            out.append(f"{where}: {e}")
        unchecked = set(params.pop(UNCHECKED, []))
        if params.pop(UNDECODABLE, False):
            return out
        if not op.get("input"):
            for k in params:
                out.append(f"{where}: {k}: unknown parameter (the operation takes none)")
            return out
        v = _Validator(svc, service, operation, svc.protocol in ("query", "ec2"), out)
        v.structure(svc.shapes[op["input"]["shape"]], op["input"]["shape"], params, "", False, unchecked)
        return out


def _header(headers, name):
    if headers is None:
        return None
    try:
        value = headers.get(name)
    except AttributeError:
        return None
    if value is None and isinstance(headers, dict):
        low = name.lower()
        for k, v in headers.items():
            if k.lower() == low:
                return v
    return value


def _match_uri(template, path):
    tpath = template.split("?", 1)[0]
    rx, names = "", []
    for part in re.split(r"(\{[^}]+\})", tpath):
        if part.startswith("{"):
            name = part[1:-1]
            greedy = name.endswith("+")
            name = name.rstrip("+")
            names.append(name)
            rx += "(.+)" if greedy else "([^/]+)"
        else:
            rx += re.escape(part)
    m = re.fullmatch(rx, path)
    if not m:
        return None
    return {n: urllib.parse.unquote(v) for n, v in zip(names, m.groups())}


def _from_string(shape, raw):
    """A header/URI/query-string value converted per its shape (rest-json)."""
    t = shape["type"]
    if t in ("integer", "long"):
        return (int(raw), None) if _QUERY_INT.fullmatch(raw) else (raw, f"{t} expected")
    if t == "boolean":
        return (raw == "true", None) if raw in ("true", "false") else (raw, "boolean expected")
    if t in ("double", "float"):
        try:
            return float(raw), None
        except ValueError:
            return raw, f"{t} expected"
    return raw, None


def _rename_json(svc, shape, value):
    """JSON wire names (locationName where the model sets one) to member names."""
    t = shape.get("type")
    if t == "structure" and isinstance(value, dict):
        members = shape.get("members", {})
        wire = {ref.get("locationName", name): name for name, ref in members.items()}
        out = {}
        for k, v in value.items():
            name = wire.get(k, k)
            ref = members.get(name)
            out[name] = _rename_json(svc, svc.shapes[ref["shape"]], v) if ref else v
        return out
    if t == "list" and isinstance(value, list):
        member = svc.shapes[shape["member"]["shape"]]
        return [_rename_json(svc, member, v) for v in value]
    if t == "map" and isinstance(value, dict):
        member = svc.shapes[shape["value"]["shape"]]
        return {k: _rename_json(svc, member, v) for k, v in value.items()}
    return value


class _FormWalker:
    """Rebuilds params from a query/EC2 form by walking the input shape the
    way botocore's QuerySerializer/EC2Serializer write it, consuming keys."""

    def __init__(self, svc, ec2, form, prefixes, problems):
        self.svc, self.ec2, self.form, self.prefixes, self.problems = svc, ec2, form, prefixes, problems
        self.consumed = set()

    def name(self, ref, default):
        if self.ec2:
            if "queryName" in ref:
                return ref["queryName"]
            if "locationName" in ref:
                n = ref["locationName"]
                return n[0].upper() + n[1:]
            return default
        return ref.get("locationName", default)

    def value(self, ref, prefix):
        if prefix not in self.prefixes:
            return None
        shape = self.svc.shapes[ref["shape"]]
        t = shape["type"]
        if t == "structure":
            return self.structure(shape, prefix)
        if t == "list":
            return self.list(shape, prefix)
        if t == "map":
            return self.map(shape, prefix)
        if prefix in self.form:
            self.consumed.add(prefix)
            return self.form[prefix]
        return None

    def structure(self, shape, prefix):
        out = {}
        for name, ref in shape.get("members", {}).items():
            wire = self.name(ref, name)
            v = self.value(ref, f"{prefix}.{wire}" if prefix else wire)
            if v is not None:
                out[name] = v
        return out if (out or not prefix) else None

    def indices(self, prefix, what):
        found = set()
        dot = prefix + "."
        for k in self.prefixes:
            if k.startswith(dot):
                seg = k[len(dot):].split(".", 1)[0]
                if seg.isdigit() and not (len(seg) > 1 and seg[0] == "0"):
                    found.add(int(seg))
        found = sorted(found)
        if found and found != list(range(1, len(found) + 1)):
            self.problems.append(f"{prefix}: {what} numbered {found}, AWS numbers them 1..N")
        return found

    def list(self, shape, prefix):
        if not self.ec2 and self.form.get(prefix) == "":
            # botocore writes an empty list as the bare key ("Prefix=").
            self.consumed.add(prefix)
            return []
        member = shape["member"]
        if self.ec2:
            list_prefix = prefix
        elif shape.get("flattened"):
            list_prefix = prefix
            if "locationName" in member:
                list_prefix = ".".join(prefix.split(".")[:-1] + [member["locationName"]])
        else:
            list_prefix = f"{prefix}.{member.get('locationName', 'member')}"
        out = []
        for i in self.indices(list_prefix, "list items"):
            v = self.value(member, f"{list_prefix}.{i}")
            if v is not None:
                out.append(v)
        return out if out else None

    def map(self, shape, prefix):
        full = prefix if shape.get("flattened") else f"{prefix}.entry"
        kname = self.name(shape["key"], "key")
        vname = self.name(shape["value"], "value")
        out = {}
        for i in self.indices(full, "map entries"):
            k = self.value(shape["key"], f"{full}.{i}.{kname}")
            v = self.value(shape["value"], f"{full}.{i}.{vname}")
            if k is None:
                self.problems.append(f"{full}.{i}: map entry without {kname}")
                continue
            out[k] = v
        return out if out else None


class _Validator:
    def __init__(self, svc, service, operation, strings, out):
        self.svc, self.service, self.operation, self.strings, self.out = svc, service, operation, strings, out
        self.where = f"{service}:{operation}"

    def say(self, path, what):
        self.out.append(f"{self.where}: {path}: {what}")

    def check(self, ref, value, path, sensitive, extra=None):
        shape_name = ref["shape"]
        shape = self.svc.shapes[shape_name]
        sensitive = sensitive or bool(ref.get("sensitive") or shape.get("sensitive"))
        t = shape["type"]
        if value is None:
            return  # JSON null: AWS treats it as absent
        if t == "structure":
            if not isinstance(value, dict):
                return self.say(path, f"structure expected, got {_kind(value)}")
            return self.structure(shape, shape_name, value, path, sensitive, ())
        if t == "list":
            if not isinstance(value, list):
                return self.say(path, f"list expected, got {_kind(value)}")
            self.length(shape, len(value), path, "items")
            for i, item in enumerate(value):
                self.check(shape["member"], item, f"{path}[{i}]", sensitive)
            return
        if t == "map":
            if not isinstance(value, dict):
                return self.say(path, f"map expected, got {_kind(value)}")
            self.length(shape, len(value), path, "entries")
            for k, v in value.items():
                self.check(shape["key"], k, f"{path} key", sensitive)
                self.check(shape["value"], v, f"{path}[{k!r}]" if not sensitive else f"{path}[key]", sensitive)
            return
        if shape.get("document"):
            return
        show = (lambda v: "(sensitive value)") if sensitive else repr
        if t == "string":
            if not isinstance(value, str):
                return self.say(path, f"string expected, got {_kind(value)}")
            self.length(shape, len(value), path, None, extra)
            if "enum" in shape and value not in shape["enum"]:
                self.say(path, f"{show(value)} not one of {', '.join(shape['enum'])}")
            if "pattern" in shape:
                rx = self.svc.pattern(self.service, shape_name, shape)
                if rx is not None and rx.fullmatch(value) is None:
                    self.say(path, f"{show(value)} does not match pattern {shape['pattern']}")
            if extra and "pattern" in extra and re.fullmatch(extra["pattern"], value) is None:
                self.say(path, f"length {len(value)}: may hold only {extra['pattern_text']}" if sensitive
                         else f"{show(value)}: may hold only {extra['pattern_text']}")
            return
        if t in ("integer", "long"):
            if self.strings:
                if not isinstance(value, str) or not _QUERY_INT.fullmatch(value):
                    return self.say(path, f"{t} expected, got {show(value)}")
                value = int(value)
            elif isinstance(value, bool) or not isinstance(value, int):
                return self.say(path, f"{t} expected, got {_kind(value)}")
            lo, hi = _INT_RANGE[t]
            if not lo <= value <= hi:
                return self.say(path, f"{show(value)} out of {t} range")
            self.bounds(shape, value, path, show)
            return
        if t in ("double", "float"):
            if self.strings:
                try:
                    value = float(value)
                except (TypeError, ValueError):
                    return self.say(path, f"{t} expected, got {show(value)}")
            elif isinstance(value, bool) or not isinstance(value, (int, float)):
                return self.say(path, f"{t} expected, got {_kind(value)}")
            self.bounds(shape, value, path, show)
            return
        if t == "boolean":
            if self.strings:
                if value not in ("true", "false"):
                    self.say(path, f"boolean expected (true or false), got {show(value)}")
            elif not isinstance(value, bool):
                self.say(path, f"boolean expected, got {_kind(value)}")
            return
        if t == "timestamp":
            fmt = ref.get("timestampFormat") or shape.get("timestampFormat")
            if self.strings or fmt == "iso8601":
                if not isinstance(value, str) or not _ISO8601.fullmatch(value) or not _iso_ok(value):
                    self.say(path, f"ISO 8601 timestamp expected, got {show(value)}")
            elif isinstance(value, bool) or not isinstance(value, (int, float)):
                self.say(path, f"epoch-seconds timestamp expected, got {_kind(value)}")
            return
        if t == "blob":
            if not isinstance(value, str):
                return self.say(path, f"base64 blob expected, got {_kind(value)}")
            try:
                raw = base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                return self.say(path, "blob is not valid base64")
            self.length(shape, len(raw), path, "bytes")
            return

    def length(self, shape, n, path, unit, extra=None):
        lo = shape.get("min")
        hi = shape.get("max")
        if extra:
            lo = extra.get("min", lo)
            hi = extra.get("max", hi)
        unit = f" {unit}" if unit else ""
        if lo is not None and n < lo:
            self.say(path, f"length {n}{unit} below min {lo}")
        if hi is not None and n > hi:
            self.say(path, f"length {n}{unit} exceeds max {hi}")

    def bounds(self, shape, value, path, show):
        if "min" in shape and value < shape["min"]:
            self.say(path, f"{show(value)} below min {shape['min']}")
        if "max" in shape and value > shape["max"]:
            self.say(path, f"{show(value)} exceeds max {shape['max']}")

    def structure(self, shape, shape_name, value, path, sensitive, unchecked):
        members = shape.get("members", {})
        top = not path
        for name in shape.get("required", []):
            if value.get(name) is None and name not in unchecked:
                self.say(f"{path}.{name}" if path else name, "missing required member")
        set_members = 0
        for name, v in value.items():
            p = f"{path}.{name}" if path else name
            ref = members.get(name)
            if ref is None:
                self.say(p, "unknown parameter")
                continue
            if v is not None:
                set_members += 1
            extra = DOCUMENTED.get((self.service, self.operation, name)) if top else None
            self.check(ref, v, p, sensitive, extra)
        if shape.get("union") and set_members != 1:
            self.say(path or shape_name, f"union: exactly one member must be set, {set_members} are")


def _kind(value):
    return {bool: "boolean", int: "integer", float: "number", str: "string",
            list: "list", dict: "object"}.get(type(value), type(value).__name__)


def _iso_ok(value):
    try:
        datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True
    except ValueError:
        return False
