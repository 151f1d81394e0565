"""Serverless Framework (``serverless.yml`` / ``serverless.yaml``) read as a SAM-shaped document.

The service is rewritten into the SAM resources the framework would deploy (one ``AWS::Serverless::Function`` per
function, with its role statements, events, environment, runtime, reserved concurrency and layers), the
``resources:`` CloudFormation section is merged in, and every synthesized node is marked at the line of the
serverless.yml key it came from, so findings point at the author's file. Variables ``${self:...}``,
``${opt:x, default}``, ``${sls:stage}`` and literal defaults are resolved; anything else (``${env:}``,
``${file()}``, ``${ssm:}``, ``${cf:}``...) is left as written and reported as an ``unresolved-variable``
diagnostic. Nothing is read outside the file and nothing is executed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from remit.diagnostics import Diagnostic, Level
from remit.loaders.cloudformation import SAM_TRANSFORM, DocKind, Document, LoadResult, read_text
from remit.loaders.discover import InputFile
from remit.loaders.marked import LoadError, load_yaml
from remit.source import Path, SourceMap

NAMES = frozenset({"serverless.yml", "serverless.yaml"})
_VAR = re.compile(r"\$\{([^${}]*)\}")
_MAX_PASSES = 10
DEFAULT_RUNTIME = "nodejs20.x"  # what the framework deploys when no runtime is written


def is_serverless(file: InputFile) -> bool:
    return file.path.name.lower() in NAMES


def _logical(name: str) -> str:
    parts = re.split(r"[^A-Za-z0-9]+", name)
    base = "".join(p[:1].upper() + p[1:] for p in parts if p)
    return (base or "Function") + "LambdaFunction"


class _Resolver:
    def __init__(self, data: Mapping[str, Any], rel: str) -> None:
        self.data = data
        self.rel = rel
        self.unresolved: set[str] = set()

    def _lookup(self, expr: str) -> Any:
        expr = expr.strip()
        if "," in expr:  # ${a, default}
            first, default = expr.split(",", 1)
            found = self._lookup(first)
            if found is None:
                return default.strip().strip("'\"")
            return found
        if expr.startswith("self:"):
            node: Any = self.data
            for part in [p for p in expr[5:].split(".") if p]:
                if isinstance(node, Mapping) and part in node:
                    node = node[part]
                else:
                    return None
            return node
        if expr == "sls:stage":
            prov = self.data.get("provider")
            stage = prov.get("stage") if isinstance(prov, Mapping) else None
            if isinstance(stage, str) and "${" in stage and "sls:stage" not in stage:
                stage = self._string(stage)
            return stage if isinstance(stage, str) and "${" not in stage else "dev"
        if expr.startswith(("opt:", "env:", "file(", "ssm:", "cf:", "s3:", "aws:", "param:", "sls:")):
            return None
        if (expr.startswith("'") and expr.endswith("'")) or (expr.startswith('"') and expr.endswith('"')):
            return expr[1:-1]
        return None

    def value(self, node: Any, depth: int = 0) -> Any:
        if isinstance(node, str):
            return self._string(node)
        if depth > 50:
            return node
        if isinstance(node, Mapping):
            return {k: self.value(v, depth + 1) for k, v in node.items()}
        if isinstance(node, list):
            return [self.value(v, depth + 1) for v in node]
        return node

    def _string(self, text: str) -> Any:
        for _ in range(_MAX_PASSES):
            m = _VAR.search(text)
            if m is None:
                return text
            found = self._lookup(m.group(1))
            if found is None:
                self.unresolved.add(m.group(0))
                return text
            if m.span() == (0, len(text)) and not isinstance(found, str):
                return self.value(found, 1)
            if isinstance(found, (Mapping, list)):
                self.unresolved.add(m.group(0))
                return text
            text = text[: m.start()] + str(found) + text[m.end():]
        return text


def _copy_marks(src: SourceMap, out: dict[Path, tuple[int, int]], src_prefix: Path, dst_prefix: Path) -> None:
    n = len(src_prefix)
    for path, pos in src.marks.items():
        if path[:n] == src_prefix:
            out.setdefault(dst_prefix + path[n:], pos)


def _fn_arn(ref: Any) -> Any:
    if isinstance(ref, str) and not ref.startswith("arn:") and "${" not in ref:
        return {"Fn::GetAtt": [_logical(ref), "Arn"]}
    return ref


def _rest_auth(spec: Mapping[str, Any], apis: _Apis) -> dict[str, Any] | None:
    auth = spec.get("authorizer")
    if auth is None:
        return None
    if isinstance(auth, str):
        auth = {"arn": auth} if auth.startswith("arn:") else {"name": auth}
    if not isinstance(auth, Mapping):
        return None
    if str(auth.get("type", "")).lower() == "aws_iam":
        return {"Authorizer": "AWS_IAM"}
    arn = auth.get("arn")
    name = str(auth.get("name") or (arn.rsplit(":", 1)[-1] if isinstance(arn, str) else "Authorizer"))
    key = re.sub(r"[^A-Za-z0-9]", "", name) or "Authorizer"
    if str(auth.get("type", "")).upper() == "COGNITO_USER_POOLS" or (isinstance(arn, str) and ":userpool/" in arn):
        apis.rest_authorizers[key] = {"UserPoolArn": arn}
    else:
        apis.rest_authorizers[key] = {"FunctionArn": _fn_arn(arn if arn is not None else auth.get("name"))}
    return {"Authorizer": key}


def _http_auth(spec: Mapping[str, Any]) -> dict[str, Any] | None:
    auth = spec.get("authorizer")
    if isinstance(auth, str):
        auth = {"name": auth}
    if not isinstance(auth, Mapping):
        return None
    if str(auth.get("type", "")).lower() == "aws_iam":
        return {"Authorizer": "AWS_IAM"}
    if auth.get("name") is not None:
        return {"Authorizer": re.sub(r"[^A-Za-z0-9]", "", str(auth["name"])) or "Authorizer"}
    return None


class _Apis:
    def __init__(self) -> None:
        self.rest = False
        self.http = False
        self.rest_authorizers: dict[str, Any] = {}


def _events(fn: Mapping[str, Any], name: str, marks: SourceMap, out: dict[Path, tuple[int, int]],
            lid: str, props: dict[str, Any], apis: _Apis) -> None:
    events: dict[str, Any] = {}
    raw = fn.get("events")
    if not isinstance(raw, list):
        return
    for i, ev in enumerate(raw):
        if not isinstance(ev, Mapping) or not ev:
            continue
        kind, spec = next(iter(ev.items()))
        eid = f"{kind[:1].upper()}{kind[1:]}{i}"
        prop: dict[str, Any] | None = None
        if kind in ("http", "httpApi") and not isinstance(spec, (str, Mapping)):
            continue
        if kind == "http":
            path, method = "/", "ANY"
            if isinstance(spec, str):
                method, _, path = spec.partition(" ")
            elif isinstance(spec, Mapping):
                path, method = str(spec.get("path", "/")), str(spec.get("method", "ANY"))
            prop = {"Type": "Api", "Properties": {"Path": "/" + path.lstrip("/"), "Method": method.lower(),
                                                  "RestApiId": {"Ref": "ApiGatewayRestApi"}}}
            apis.rest = True
            rest_auth = _rest_auth(spec, apis) if isinstance(spec, Mapping) else None
            if rest_auth is not None:
                prop["Properties"]["Auth"] = rest_auth
        elif kind == "httpApi":
            path, method = "/", "ANY"
            if isinstance(spec, str) and spec != "*":
                method, _, path = spec.partition(" ")
            elif isinstance(spec, Mapping):
                path, method = str(spec.get("path", "/")), str(spec.get("method", "ANY"))
            prop = {"Type": "HttpApi", "Properties": {"Path": "/" + path.lstrip("/"), "Method": method.upper(),
                                                      "ApiId": {"Ref": "HttpApi"}}}
            apis.http = True
            http_auth = _http_auth(spec) if isinstance(spec, Mapping) else None
            if http_auth is not None:
                prop["Properties"]["Auth"] = http_auth
        elif kind == "sqs":
            arn = spec.get("arn") if isinstance(spec, Mapping) else spec
            prop = {"Type": "SQS", "Properties": {"Queue": arn}}
        elif kind == "sns" and isinstance(spec, (str, Mapping)):
            arn = spec.get("arn", spec.get("topicName")) if isinstance(spec, Mapping) else spec
            if isinstance(arn, str) and not arn.startswith("arn:"):
                arn = {"Fn::Sub": f"arn:${{AWS::Partition}}:sns:${{AWS::Region}}:${{AWS::AccountId}}:{arn}"}
            prop = {"Type": "SNS", "Properties": {"Topic": arn}}
        elif kind == "schedule":
            rate = spec.get("rate") if isinstance(spec, Mapping) else spec
            if isinstance(rate, list):
                rate = rate[0] if rate else None
            prop = {"Type": "Schedule", "Properties": {"Schedule": rate}}
        elif kind == "stream":
            arn = spec.get("arn") if isinstance(spec, Mapping) else spec
            prop = {"Type": "DynamoDB", "Properties": {"Stream": arn, "StartingPosition": "LATEST"}}
        if prop is not None:
            events[eid] = prop
            _copy_marks(marks, out, ("functions", name, "events", i), ("Resources", lid, "Properties", "Events", eid))
            out.setdefault(("Resources", lid, "Properties", "Events", eid),
                           marks.marks.get(("functions", name, "events", i), (1, 1)))
    if events:
        props["Events"] = events


def to_sam(data: Mapping[str, Any], marks: SourceMap) -> tuple[dict[str, Any], SourceMap]:
    """The SAM template the service amounts to, with marks pointing into the serverless.yml."""
    out: dict[Path, tuple[int, int]] = {(): (1, 1)}
    provider = data.get("provider") if isinstance(data.get("provider"), Mapping) else {}
    assert isinstance(provider, Mapping)
    resources: dict[str, Any] = {}
    # provider-level statements, v3 (`iam.role.statements`) or v2 (`iamRoleStatements`)
    statements: Any = None
    st_path: Path = ()
    role_name: Any = None
    managed: Any = None
    iam = provider.get("iam")
    if isinstance(iam, Mapping):
        role = iam.get("role")
        if isinstance(role, Mapping):
            statements, st_path = role.get("statements"), ("provider", "iam", "role", "statements")
            managed = role.get("managedPolicies")
        elif role is not None:
            role_name = role
    if statements is None and isinstance(provider.get("iamRoleStatements"), list):
        statements, st_path = provider["iamRoleStatements"], ("provider", "iamRoleStatements")
    if managed is None:
        managed = provider.get("iamManagedPolicies")
    if provider.get("role") is not None and role_name is None:
        role_name = provider.get("role")
    functions = data.get("functions") if isinstance(data.get("functions"), Mapping) else {}
    assert isinstance(functions, Mapping)
    apis = _Apis()
    for name, fn in functions.items():
        if not isinstance(fn, Mapping):
            continue
        lid = _logical(str(name))
        base: Path = ("Resources", lid)
        out[base] = marks.marks.get(("functions", name), (1, 1))
        props: dict[str, Any] = {}
        handler = fn.get("handler")
        if isinstance(handler, str):
            directory, _, module = handler.rpartition("/")
            props["CodeUri"] = directory or "."
            props["Handler"] = module
            for key in ("CodeUri", "Handler"):
                out[(*base, "Properties", key)] = marks.marks.get(("functions", name, "handler"), out[base])
        elif fn.get("image") is not None:
            props["PackageType"] = "Image"
            props["ImageUri"] = fn.get("image")
        for src_key, dst_key, default in (("runtime", "Runtime", provider.get("runtime", DEFAULT_RUNTIME)),
                                          ("memorySize", "MemorySize", provider.get("memorySize")),
                                          ("timeout", "Timeout", provider.get("timeout")),
                                          ("reservedConcurrency", "ReservedConcurrentExecutions", None),
                                          ("layers", "Layers", provider.get("layers"))):
            value = fn.get(src_key, default)
            if value is not None:
                props[dst_key] = value
                src = ("functions", name, src_key) if src_key in fn else ("provider", src_key)
                _copy_marks(marks, out, src, (*base, "Properties", dst_key))
        env: dict[str, Any] = {}
        for owner, src in ((provider, ("provider", "environment")), (fn, ("functions", name, "environment"))):
            if isinstance(owner.get("environment"), Mapping):
                env.update(owner["environment"])
                _copy_marks(marks, out, src, (*base, "Properties", "Environment", "Variables"))
        if env:
            props["Environment"] = {"Variables": env}
        fn_statements = fn.get("iamRoleStatements")
        if fn.get("role") is not None:
            props["Role"] = fn["role"]
            _copy_marks(marks, out, ("functions", name, "role"), (*base, "Properties", "Role"))
        elif isinstance(fn_statements, list):  # serverless-iam-roles-per-function
            props["Policies"] = [{"Version": "2012-10-17", "Statement": fn_statements}]
            _copy_marks(marks, out, ("functions", name, "iamRoleStatements"),
                        (*base, "Properties", "Policies", 0, "Statement"))
        elif role_name is not None:
            props["Role"] = role_name
            _copy_marks(marks, out, ("provider", "iam", "role"), (*base, "Properties", "Role"))
        else:
            policies: list[Any] = []
            if isinstance(statements, list) and statements:
                policies.append({"Version": "2012-10-17", "Statement": statements})
                _copy_marks(marks, out, st_path, (*base, "Properties", "Policies", 0, "Statement"))
            if isinstance(managed, list):
                policies.extend(managed)
            if policies:
                props["Policies"] = policies
        url = fn.get("url")
        if url:
            auth = "AWS_IAM" if isinstance(url, Mapping) and url.get("authorizer") == "aws_iam" else "NONE"
            props["FunctionUrlConfig"] = {"AuthType": auth}
            _copy_marks(marks, out, ("functions", name, "url"), (*base, "Properties", "FunctionUrlConfig"))
            out.setdefault((*base, "Properties", "FunctionUrlConfig"),
                           marks.marks.get(("functions", name, "url"), out[base]))
        _events(fn, str(name), marks, out, lid, props, apis)
        out.setdefault((*base, "Properties"), out[base])
        resources[lid] = {"Type": "AWS::Serverless::Function", "Properties": props}
    stage = provider.get("stage") if isinstance(provider.get("stage"), str) else "dev"
    if apis.rest:
        rest: dict[str, Any] = {"StageName": stage}
        if apis.rest_authorizers:
            rest["Auth"] = {"Authorizers": apis.rest_authorizers}
        resources["ApiGatewayRestApi"] = {"Type": "AWS::Serverless::Api", "Properties": rest}
        out[("Resources", "ApiGatewayRestApi")] = marks.marks.get(("functions",), (1, 1))
    if apis.http:
        http: dict[str, Any] = {}
        written = provider.get("httpApi")
        authorizers: dict[str, Any] = {}
        if isinstance(written, Mapping) and isinstance(written.get("authorizers"), Mapping):
            for aname, spec in written["authorizers"].items():
                if not isinstance(spec, Mapping):
                    continue
                key = re.sub(r"[^A-Za-z0-9]", "", str(aname)) or "Authorizer"
                if spec.get("type") == "request" or spec.get("functionName") or spec.get("functionArn"):
                    authorizers[key] = {"FunctionArn": _fn_arn(spec.get("functionArn") or spec.get("functionName")),
                                        "AuthorizerPayloadFormatVersion": str(spec.get("payloadVersion", "2.0"))}
                else:
                    audience = spec.get("audience")
                    authorizers[key] = {"IdentitySource": spec.get("identitySource", "$request.header.Authorization"),
                                        "JwtConfiguration": {"issuer": spec.get("issuerUrl"),
                                                             "audience": audience if isinstance(audience, list)
                                                             else [audience]}}
        if authorizers:
            http["Auth"] = {"Authorizers": authorizers}
        resources["HttpApi"] = {"Type": "AWS::Serverless::HttpApi", "Properties": http}
        fallback = marks.marks.get(("functions",), (1, 1))
        out[("Resources", "HttpApi")] = marks.marks.get(("provider", "httpApi"), fallback)
    extra = data.get("resources")
    if isinstance(extra, Mapping) and isinstance(extra.get("Resources"), Mapping):
        for lid, res in extra["Resources"].items():
            if lid not in resources:
                resources[lid] = res
                _copy_marks(marks, out, ("resources", "Resources", lid), ("Resources", lid))
    template: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09", "Transform": SAM_TRANSFORM,
                                "Resources": resources}
    if isinstance(extra, Mapping):
        for section in ("Outputs", "Conditions", "Parameters"):
            if isinstance(extra.get(section), Mapping):
                template[section] = extra[section]
                _copy_marks(marks, out, ("resources", section), (section,))
    out[("Resources",)] = marks.marks.get(("functions",), (1, 1))
    return template, SourceMap(out)


def load_serverless(file: InputFile) -> LoadResult:
    """Read one serverless.yml into a SAM document marked at the author's lines."""
    text, problem = read_text(file)
    if text is None:
        return LoadResult(None, (problem,) if problem is not None else ())
    try:
        loaded = load_yaml(text)
    except LoadError as exc:
        return LoadResult(None, (Diagnostic(file.rel, Level.ERROR, "parse-error", exc.message, exc.line),))
    data = loaded.data
    if not isinstance(data, Mapping) or not isinstance(data.get("functions", {}), Mapping):
        return LoadResult(None, (Diagnostic(file.rel, Level.WARNING, "not-a-service",
                                            "serverless.yml without a functions mapping"),))
    provider = data.get("provider")
    name = provider.get("name") if isinstance(provider, Mapping) else provider
    if isinstance(name, str) and name.lower() != "aws":
        return LoadResult(None, (Diagnostic(file.rel, Level.INFO, "not-aws",
                                            f"a service for provider {name!r}: not read"),))
    resolver = _Resolver(data, file.rel)
    resolved = resolver.value(data)
    template, marks = to_sam(resolved, loaded.marks)
    diags = [Diagnostic(file.rel, Level.INFO, "unresolved-variable", f"{v} left unresolved (treated as unknown)")
             for v in sorted(resolver.unresolved)]
    return LoadResult(Document(file.rel, file.path, DocKind.SAM, template, marks), tuple(diags))
