"""``AWS::Serverless::StateMachine`` (without events or aliases) → the Step Functions state machine and its role,
as the translator writes them.

The translator writes an inline ``Definition`` as JSON text (keys sorted, four-space indent) split into lines
under ``Fn::Join``; every intrinsic function or dynamic reference in it becomes
``${definition_substitution_N}``, numbered in the order of a walk that visits keys sorted, and moves to
``DefinitionSubstitutions``."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs, urlparse

from remit.loaders.sam_native.common import FunctionContext, Refused, clone, is_intrinsic, main_resource
from remit.loaders.sam_native.policies import expand_templates, role_policies
from remit.loaders.sam_native.state_machine_events import state_machine_event

ACCEPTED = frozenset({"Definition", "DefinitionUri", "Logging", "Role", "RolePath", "DefinitionSubstitutions", "Name",
                      "Type", "Tags", "Policies", "Tracing", "PermissionsBoundary", "Events"})
_ORDER = ("Definition", "DefinitionString", "DefinitionS3Location", "LoggingConfiguration", "RoleArn",
          "StateMachineName", "StateMachineType", "Tags", "DefinitionSubstitutions", "TracingConfiguration")
_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Action": ["sts:AssumeRole"], "Effect": "Allow", "Principal": {"Service": ["states.amazonaws.com"]}}]}
_DYNAMIC_REFERENCE = re.compile(r"^{{resolve:([a-z-]+):(.+)}}$")


def _check(props: Mapping[str, Any]) -> None:
    unknown = set(props) - ACCEPTED
    if unknown:
        raise Refused(f"StateMachine: {sorted(unknown)[0]}")
    if any(v is None for v in props.values()):
        raise Refused("StateMachine: a property without a value")
    if ("Definition" in props) == ("DefinitionUri" in props):
        raise Refused("StateMachine: not exactly one of Definition and DefinitionUri")
    if "Role" in props and "Policies" in props:
        raise Refused("StateMachine: both Role and Policies (the translator rejects it)")
    shapes: dict[str, Callable[[Any], bool]] = {
        "Definition": lambda v: isinstance(v, dict) and not is_intrinsic(v),
        "DefinitionUri": lambda v: isinstance(v, str),
        "Logging": lambda v: isinstance(v, dict),
        "Role": lambda v: isinstance(v, str) or (is_intrinsic(v) and "Fn::If" not in v),
        "DefinitionSubstitutions": lambda v: isinstance(v, dict) and not is_intrinsic(v),
        "Name": lambda v: isinstance(v, str) or is_intrinsic(v),
        "Type": lambda v: isinstance(v, str) or is_intrinsic(v),
        "Tags": lambda v: isinstance(v, dict) and not is_intrinsic(v),
        "Policies": lambda v: isinstance(v, list) and all(isinstance(p, (str, dict)) for p in v),
        "Tracing": lambda v: isinstance(v, dict),
        "PermissionsBoundary": lambda v: isinstance(v, str) or is_intrinsic(v),
        "Events": lambda v: isinstance(v, dict) and all(isinstance(k, str) for k in v),
    }
    for name, ok in shapes.items():
        if name in props and not ok(props[name]):
            raise Refused(f"StateMachine: {name} written in a shape not reproduced")


def _dynamic(value: object) -> bool:
    return is_intrinsic(value) or (isinstance(value, str) and _DYNAMIC_REFERENCE.match(value) is not None)


def _paths(node: Any, path: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """Where the intrinsic functions and dynamic references are, in the translator's order."""
    if isinstance(node, dict):
        if not all(isinstance(k, str) for k in node):
            raise Refused("StateMachine: a Definition key that is not a string")
        items: list[tuple[Any, Any]] = sorted(node.items(), key=lambda item: item[0])
    elif isinstance(node, list):
        items = list(enumerate(node))
    else:
        return []
    found: list[tuple[Any, ...]] = []
    for key, value in items:
        if _dynamic(value):
            found.append((*path, key))
        elif isinstance(value, (dict, list)):
            found.extend(_paths(value, (*path, key)))
    return found


def _definition(definition: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``DefinitionString`` and the substitutions taken out of ``definition`` (a copy of the author's)."""
    substitutions: dict[str, Any] = {}
    for number, path in enumerate(_paths(definition, ()), start=1):
        holder = definition
        for step in path[:-1]:
            holder = holder[step]
        substitutions[f"definition_substitution_{number}"] = holder[path[-1]]
        holder[path[-1]] = f"${{definition_substitution_{number}}}"
    try:
        text = json.dumps(definition, sort_keys=True, indent=4, separators=(",", ": "))
    except (TypeError, ValueError) as exc:
        raise Refused("StateMachine: a Definition that is not plain JSON") from exc
    return {"Fn::Join": ["\n", text.split("\n")]}, substitutions


def _s3_location(uri: str) -> dict[str, Any]:
    url = urlparse(uri)
    if url.scheme != "s3" or not url.netloc or not url.path:
        raise Refused("StateMachine: DefinitionUri is not an S3 URI")
    location = {"Bucket": url.netloc, "Key": url.path.lstrip("/")}
    version = parse_qs(url.query).get("versionId")
    if version and len(version) == 1:
        location["Version"] = version[0]
    return location


def expand_state_machine(lid: str, resource: Mapping[str, Any], props: Mapping[str, Any], resources: dict[str, Any],
                         original: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The state machine, its role (unless the author gave one), then each event's resources in the order the
    author wrote the events."""
    _check(props)
    tags = [{"Key": "stateMachine:createdBy", "Value": "SAM"}]
    tags.extend({"Key": k, "Value": "" if v is None else v} for k, v in props.get("Tags", {}).items())
    written: dict[str, Any] = {}
    if props.get("DefinitionSubstitutions"):
        written["DefinitionSubstitutions"] = props["DefinitionSubstitutions"]
    if "Definition" in props:
        if not props["Definition"]:
            raise Refused("StateMachine: an empty Definition (the translator rejects it)")
        written["DefinitionString"], substitutions = _definition(clone(props["Definition"]))
        if substitutions:
            written["DefinitionSubstitutions"] = {**written.get("DefinitionSubstitutions", {}), **substitutions}
    else:
        written["DefinitionS3Location"] = _s3_location(props["DefinitionUri"])
    out: list[tuple[str, dict[str, Any]]] = []
    role = None
    if "Role" in props:
        written["RoleArn"] = props["Role"]
    else:
        policies = list(expand_templates(props.get("Policies") or []))  # type: ignore[call-overload]  # a list
        tracing = props.get("Tracing")
        if isinstance(tracing, dict) and tracing.get("Enabled") is True:
            policies.append("AWSXrayWriteOnlyAccess")
        managed: list[Any] = []
        documents = role_policies(lid + "Role", policies, managed)
        role_props: dict[str, Any] = {"AssumeRolePolicyDocument": _TRUST, "ManagedPolicyArns": managed}
        if "RolePath" in props:
            role_props["Path"] = props["RolePath"]
        if documents:
            role_props["Policies"] = documents
        if "PermissionsBoundary" in props:
            role_props["PermissionsBoundary"] = props["PermissionsBoundary"]
        role_props["Tags"] = [dict(t) for t in tags]
        role = (lid + "Role", {"Type": "AWS::IAM::Role", "Properties": role_props})
        written["RoleArn"] = {"Fn::GetAtt": [lid + "Role", "Arn"]}
    for name, key in (("Name", "StateMachineName"), ("Type", "StateMachineType"), ("Logging", "LoggingConfiguration"),
                      ("Tracing", "TracingConfiguration")):
        if name in props:
            written[key] = props[name]
    written["Tags"] = tags
    out.append((lid, main_resource("AWS::StepFunctions::StateMachine", resource,
                                   {k: written[k] for k in _ORDER if k in written})))
    if role is not None:
        out.append(role)
    machine = FunctionContext(lid, None, resources, original)
    for name, event in (props.get("Events") or {}).items():
        out.extend(state_machine_event(machine, name, event, props.get("PermissionsBoundary")))
    return out
