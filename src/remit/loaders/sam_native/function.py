"""``AWS::Serverless::Function`` → the Lambda function, its execution role and its events, as the translator
writes them: the same logical ids, values and key order (the function's properties in the order the
translator's Lambda model lists them)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import parse_qs, urlparse

from remit.loaders.sam_native.common import FunctionContext, Refused, is_intrinsic, main_resource
from remit.loaders.sam_native.http_api import HttpApiPlan, route_of
from remit.loaders.sam_native.invoke_config import dead_letter, event_invoke
from remit.loaders.sam_native.policies import expand_templates, role_policies
from remit.loaders.sam_native.rest_api import RestApiPlan

Generated = list[tuple[str, dict[str, Any]]]
EventExpander = Callable[[FunctionContext, str, Mapping[str, Any]], Generated]

_MANAGED = "arn:aws:iam::aws:policy/"
_BASIC = _MANAGED + "service-role/AWSLambdaBasicExecutionRole"
_BASIC_DURABLE = _MANAGED + "service-role/AWSLambdaBasicDurableExecutionRolePolicy"
_XRAY = _MANAGED + "AWSXrayWriteOnlyAccess"
_VPC = _MANAGED + "service-role/AWSLambdaVPCAccessExecutionRole"
_RESERVED_TAGS = ("lambda:createdBy", "serverlessrepo:applicationId", "serverlessrepo:semanticVersion")
_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Action": ["sts:AssumeRole"], "Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com"]}}]}

# properties copied to the Lambda function as written (the translator validates none of them)
_AS_WRITTEN = ("Description", "Handler", "MemorySize", "Runtime", "Timeout", "VpcConfig", "Environment", "ImageConfig",
               "KmsKeyArn", "Layers", "ReservedConcurrentExecutions", "FileSystemConfigs", "CodeSigningConfigArn",
               "Architectures", "SnapStart", "EphemeralStorage", "RuntimeManagementConfig", "LoggingConfig",
               "RecursiveLoop", "DurableConfig")
# the order of the Lambda function's properties in the translator's output
_ORDER = ("Code", "PackageType", "DeadLetterConfig", "Description", "FunctionName", "Handler", "MemorySize", "Role",
          "Runtime", "Timeout", "VpcConfig", "Environment", "Tags", "TracingConfig", "KmsKeyArn", "Layers",
          "ReservedConcurrentExecutions", "FileSystemConfigs", "CodeSigningConfigArn", "ImageConfig", "Architectures",
          "SnapStart", "EphemeralStorage", "RuntimeManagementConfig", "LoggingConfig", "RecursiveLoop",
          "CapacityProviderConfig", "FunctionScalingConfig", "PublishToLatestPublished", "TenancyConfig",
          "DurableConfig")
ACCEPTED = frozenset({*_AS_WRITTEN, "CodeUri", "InlineCode", "PackageType", "FunctionName", "Role",
                      "AssumeRolePolicyDocument", "Policies", "RolePath", "PermissionsBoundary", "Events", "Tags",
                      "Tracing", "FunctionUrlConfig", "AutoPublishAlias", "ImageUri", "ImageConfig",
                      "DeadLetterQueue", "EventInvokeConfig"})
_ALIAS_NAME = re.compile(r"(?!^[0-9]+$)([a-zA-Z0-9\-_]+)$")
_CORS = {"AllowOrigins": list, "AllowMethods": list, "AllowCredentials": bool, "AllowHeaders": list,
         "ExposeHeaders": list, "MaxAge": int}


def _check(props: Mapping[str, Any]) -> None:
    """Refuse what the translator would reject, transform differently, or what is not reproduced here."""
    unknown = set(props) - ACCEPTED
    if unknown:
        raise Refused(f"Function: {sorted(unknown)[0]}")
    if any(v is None for v in props.values()):
        raise Refused("Function: a property without a value")
    checks: dict[str, Callable[[Any], bool]] = {
        "FunctionName": lambda v: isinstance(v, (str, dict)),
        "Role": lambda v: isinstance(v, str) or (is_intrinsic(v) and "Fn::If" not in v),
        "AssumeRolePolicyDocument": lambda v: isinstance(v, dict),
        "Policies": lambda v: isinstance(v, (str, dict)) or (
            isinstance(v, list) and all(isinstance(p, (str, dict)) for p in v)),
        "PermissionsBoundary": lambda v: isinstance(v, str) or is_intrinsic(v),
        "Environment": lambda v: isinstance(v, dict) and not is_intrinsic(v) and all(
            isinstance(k, str) and isinstance(x, dict) for k, x in v.items()),
        "Events": lambda v: isinstance(v, dict) and all(
            isinstance(k, str) and isinstance(x, dict) for k, x in v.items()),
        "Tags": lambda v: isinstance(v, dict) and not is_intrinsic(v) and not any(t in v for t in _RESERVED_TAGS),
        "Tracing": lambda v: isinstance(v, str),
        "Layers": lambda v: isinstance(v, list) and all(isinstance(x, (str, dict)) for x in v),
        "SnapStart": lambda v: isinstance(v, dict),
        "DurableConfig": lambda v: isinstance(v, dict),
        "PackageType": lambda v: v in ("Zip", "Image"),
        # passed through as written, intrinsics and parameters included; with AutoPublishAlias the version's
        # digest would be of an intrinsic: left to the translator
        "ImageUri": lambda v: (isinstance(v, str) and bool(v)) or (
            is_intrinsic(v) and "AutoPublishAlias" not in props and "Fn::If" not in v),
        "ImageConfig": lambda v: isinstance(v, dict),
        "FunctionUrlConfig": _url_config_reproduced,
        "AutoPublishAlias": lambda v: isinstance(v, str) and _ALIAS_NAME.match(v) is not None,
    }
    for name, ok in checks.items():
        if name in props and not ok(props[name]):
            raise Refused(f"Function: {name} written in a shape not reproduced")
    if props.get("PackageType") == "Image":
        if any(props.get(name) for name in ("Handler", "Runtime", "Layers")) or "ImageUri" not in props:
            raise Refused("Function: an image function with Handler, Runtime or Layers, or no ImageUri")
    elif not props.get("Runtime") or not props.get("Handler") or "ImageUri" in props or "ImageConfig" in props:
        raise Refused("Function: a zip function without Runtime or Handler, or with an image (the translator "
                      "rejects it)")


def _url_config_reproduced(config: object) -> bool:
    if not isinstance(config, dict) or is_intrinsic(config) or set(config) - {"AuthType", "Cors", "InvokeMode"}:
        return False
    cors = config.get("Cors")
    if cors is not None and not (isinstance(cors, dict) and not is_intrinsic(cors) and all(
            name in _CORS and (is_intrinsic(value) or isinstance(value, _CORS[name])) for name, value in cors.items())):
        return False
    return config.get("AuthType") in ("AWS_IAM", "NONE")


def _published(lid: str, resource: Mapping[str, Any], props: Mapping[str, Any],
               function: Mapping[str, Any]) -> Generated:
    """``AutoPublishAlias``: a version named by a digest of what makes a new version (the code, environment,
    memory, SnapStart), and the alias pointing at it."""
    code = function["Code"]
    if not all(isinstance(v, str) for v in code.values()):
        raise Refused("Function: AutoPublishAlias with code given by an intrinsic function")
    digest_of: dict[str, Any] = dict(code)
    if function.get("Environment"):
        digest_of.update(function["Environment"])
    if function.get("MemorySize"):
        digest_of["MemorySize"] = function["MemorySize"]
    snap = function.get("SnapStart")
    if snap and snap.get("ApplyOn", "None") != "None":
        digest_of["SnapStart"] = snap
    text = json.dumps(digest_of, separators=(",", ":"), sort_keys=True)
    version_id = f"{lid}Version{hashlib.sha1(text.encode()).hexdigest()[:10]}"  # SAM's naming, not security
    version: dict[str, Any] = {"Type": "AWS::Lambda::Version"}
    if "DeletionPolicy" not in resource:
        version["DeletionPolicy"] = "Retain"  # old versions stay unless the author says otherwise
    version["Properties"] = {"FunctionName": {"Ref": lid}}
    name = props["AutoPublishAlias"]
    alias_id = f"{lid}Alias{name.replace('-', 'D').replace('_', 'U')}"
    alias = {"Name": name, "FunctionName": {"Ref": lid}, "FunctionVersion": {"Fn::GetAtt": [version_id, "Version"]}}
    return [(version_id, version), (alias_id, {"Type": "AWS::Lambda::Alias", "Properties": alias})]


def _url(target: dict[str, Any], lid: str, config: Mapping[str, Any]) -> Generated:
    """The function URL and, for ``AuthType: NONE``, the two public permissions SAM adds with it."""
    url: dict[str, Any] = {"TargetFunctionArn": target, "AuthType": config["AuthType"]}
    if config.get("Cors"):
        url["Cors"] = config["Cors"]
    if config.get("InvokeMode") is not None:
        url["InvokeMode"] = config["InvokeMode"]
    out: Generated = [(lid + "Url", {"Type": "AWS::Lambda::Url", "Properties": url})]
    if config["AuthType"] == "NONE":
        out.append((lid + "UrlPublicPermissions", {"Type": "AWS::Lambda::Permission", "Properties": {
            "Action": "lambda:InvokeFunctionUrl", "FunctionName": target, "Principal": "*",
            "FunctionUrlAuthType": "NONE"}}))
        out.append((lid + "URLInvokeAllowPublicAccess", {"Type": "AWS::Lambda::Permission", "Properties": {
            "Action": "lambda:InvokeFunction", "FunctionName": target, "Principal": "*",
            "InvokedViaFunctionUrl": True}}))
    return out


def _code(props: Mapping[str, Any]) -> dict[str, Any]:
    if props.get("PackageType") == "Image":
        return {"ImageUri": props["ImageUri"]}
    if "InlineCode" in props:
        if "CodeUri" in props:
            raise Refused("Function: both InlineCode and CodeUri")
        return {"ZipFile": props["InlineCode"]}
    uri = props.get("CodeUri")
    if not isinstance(uri, str) or "{{resolve:" in uri:
        raise Refused("Function: CodeUri is not an S3 URI")
    try:
        url = urlparse(uri)
    except ValueError as exc:
        raise Refused("Function: CodeUri is not an S3 URI") from exc
    if url.scheme != "s3" or not url.netloc or not url.path:
        raise Refused("Function: CodeUri is not an S3 URI")
    code = {"S3Bucket": url.netloc, "S3Key": url.path.lstrip("/")}
    version = parse_qs(url.query).get("versionId")
    if version and len(version) == 1:
        code["S3ObjectVersion"] = version[0]
    return code


def _tags(tags: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    listed = [{"Key": "lambda:createdBy", "Value": "SAM"}]
    listed.extend({"Key": k, "Value": "" if v is None else v} for k, v in (tags or {}).items())
    return listed


def _role(lid: str, props: Mapping[str, Any], policies: object,
          generated: list[dict[str, Any]]) -> dict[str, Any]:
    managed: list[Any] = [_BASIC_DURABLE if props.get("DurableConfig") else _BASIC]
    tracing = props.get("Tracing")
    if tracing and tracing != "Disabled":
        managed.append(_XRAY)
    if props.get("VpcConfig"):
        managed.append(_VPC)
    role_id = lid + "Role"
    documents = [*generated, *role_policies(role_id, policies, managed)]
    out: dict[str, Any] = {"AssumeRolePolicyDocument": props.get("AssumeRolePolicyDocument", _TRUST),
                           "ManagedPolicyArns": managed}
    if "RolePath" in props:
        out["Path"] = props["RolePath"]
    if documents:
        out["Policies"] = documents
    if "PermissionsBoundary" in props:
        out["PermissionsBoundary"] = props["PermissionsBoundary"]
    out["Tags"] = _tags(props.get("Tags"))
    return out


def expand_function(lid: str, resource: Mapping[str, Any], props: dict[str, Any], resources: dict[str, Any],
                    original: Mapping[str, Any], events: EventExpander | None,
                    rest_apis: RestApiPlan | None = None,
                    http_apis: HttpApiPlan | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
    """The resources one function (its Globals already merged into ``props``) expands to, in the translator's
    order: the function, its version and alias, its URL, its role (unless the author gave one), then each
    event's resources by event name. A generator: the caller adds each resource to ``resources`` before the
    next event is expanded, as the translator does (an event must see what the earlier ones generated)."""
    _check(props)
    policies = expand_templates(props.get("Policies"))
    written: dict[str, Any] = {name: props[name] for name in _AS_WRITTEN if name in props}
    written["Code"] = _code(props)
    if "PackageType" in props:
        written["PackageType"] = props["PackageType"]
    if props.get("FunctionName"):
        written["FunctionName"] = props["FunctionName"]
    tracing = props.get("Tracing")
    if tracing and tracing != "Disabled":
        written["TracingConfig"] = {"Mode": tracing}
    written["Tags"] = _tags(props.get("Tags"))
    generated_policies: list[dict[str, Any]] = []
    letters = dead_letter(props)
    if letters is not None:
        written["DeadLetterConfig"], policy = letters
        generated_policies.append(policy)
    alias_name = props.get("AutoPublishAlias")
    parameters = original.get("Parameters")
    invoke_made, invoke_policies = event_invoke(
        lid, resource, props, (f"{lid}Alias{alias_name}", alias_name) if alias_name else None,
        parameters if isinstance(parameters, dict) else {})
    generated_policies += invoke_policies
    # built (and its policies checked) even when the author gives Role
    role = _role(lid, props, policies, generated_policies)
    given_role = "Role" in props
    written["Role"] = props["Role"] if given_role else {"Fn::GetAtt": [lid + "Role", "Arn"]}
    declared = props.get("Events") or {}
    if declared and events is None:
        raise Refused("Function: Events")
    properties = {name: written[name] for name in _ORDER if name in written}
    yield lid, main_resource("AWS::Lambda::Function", resource, properties)
    target = {"Ref": lid}
    alias = None
    if props.get("AutoPublishAlias"):
        published = _published(lid, resource, props, properties)
        yield from published
        alias = published[-1][0]
        target = {"Ref": alias}  # the URL and the events call the alias
    if props.get("FunctionUrlConfig"):
        yield from _url(target, lid, props["FunctionUrlConfig"])
    if invoke_made and alias is not None and invoke_made[-1][1].get("DependsOn") != [alias]:
        raise Refused("Function: EventInvokeConfig with an alias named otherwise")
    yield from invoke_made
    if not given_role:
        yield lid + "Role", {"Type": "AWS::IAM::Role", "Properties": role}
    if declared and events is not None:
        context = FunctionContext(lid, None if given_role else role, resources, original, alias, rest_apis,
                                  http_apis)
        for name in sorted(declared, key=lambda name: _event_order(name, declared[name])):
            yield from events(context, name, declared[name])


def _event_order(name: str, event: Any) -> str:
    """The translator's sort key for a function's events: an API event's path, any other event's name."""
    if not isinstance(event, dict):
        return name
    if event.get("Type") == "HttpApi":
        return route_of(event)[0]  # the translator gives a route-less HttpApi event its $default path first
    props = event.get("Properties", {})
    if not isinstance(props, dict):
        raise Refused("Function: an event whose Properties is not a mapping")
    path = props.get("Path", name)
    if not isinstance(path, str):
        raise Refused("Function: an event whose Path is not a string")
    return path
