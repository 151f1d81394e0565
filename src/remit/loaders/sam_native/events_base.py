"""What every native event expansion shares: reading the author's event as aws-sam-translator reads it (or
refusing), the resource attributes a generated resource inherits from its function, and the execution-role
edits an event makes.

Facts about the translator (1.115) this module relies on:

* an event's properties are checked against its class's property table: an unknown property, a missing
  required one or a value of the wrong type is an error; a value of ``None`` counts as absent; a property that
  allows intrinsics accepts any mapping of exactly one key in place of its type;
* a generated resource carries the function's ``Condition``, ``DeletionPolicy`` and ``UpdateReplacePolicy``
  (in that order), after ``Type`` and before ``Properties``;
* after the expansion the translator rewrites, across the whole template, references to derived SAM resources
  (``MyFunction.Alias``, ``MyApi.Stage``...) and to resources whose logical id it changes (layer versions):
  an event value that could be rewritten is refused here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from remit.loaders.sam_native.common import FunctionContext, Refused

Validator = Callable[[Any], bool]

_ALPHANUMERIC = re.compile(r"^[A-Za-z0-9]+$")
_SUB_VARIABLE = re.compile(r"\$\{([^}!]*)\}")
_SAM_PREFIX = "AWS::Serverless::"
PASS_THROUGH_ATTRIBUTES = ("Condition", "DeletionPolicy", "UpdateReplacePolicy")
# the order of the execution role's properties in the translator's output (its IAMRole property table)
_ROLE_ORDER = ("AssumeRolePolicyDocument", "ManagedPolicyArns", "Path", "Policies", "PermissionsBoundary", "Tags")


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)  # a bool the translator takes for an int: refused


def is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def is_str(value: Any) -> bool:
    return isinstance(value, str)


def is_dict(value: Any) -> bool:
    return isinstance(value, dict)


def is_list(value: Any) -> bool:
    return isinstance(value, list)


def is_str_or_str_list(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))


def anything(value: Any) -> bool:
    return True


@dataclass(frozen=True)
class Prop:
    """One property of an event type: whether it is required, the type the translator checks, and whether a
    one-key mapping (an intrinsic) stands in for that type."""

    check: Validator
    required: bool = False
    intrinsics: bool = True


def alphanumeric(value: Any) -> bool:
    return isinstance(value, str) and bool(_ALPHANUMERIC.match(value))


def read_event(kind: str, fn: FunctionContext, name: str, event: Mapping[str, Any],
               table: Mapping[str, Prop]) -> dict[str, Any]:
    """The event's properties as the translator takes them (``None`` values dropped), or :class:`Refused`."""
    if not isinstance(name, str) or not alphanumeric(fn.logical_id + name):
        raise Refused(f"{kind}: event name {name!r} is not alphanumeric")
    if _function_property(fn, "AutoPublishAlias") is not None and fn.alias is None:
        raise Refused(f"{kind}: function with AutoPublishAlias")  # events then point at the alias
    if _function_property(fn, "TenancyConfig") is not None:
        raise Refused(f"{kind}: function with TenancyConfig")  # which allows API events only
    extra = [k for k in event if k not in ("Type", "Properties")]
    if extra:
        raise Refused(f"{kind}: event key {extra[0]!r}")
    props = event.get("Properties", {})
    if not isinstance(props, dict):
        raise Refused(f"{kind}: Properties is not a mapping")
    out: dict[str, Any] = {}
    for key, value in props.items():
        prop = table.get(key) if isinstance(key, str) else None
        if prop is None:
            raise Refused(f"{kind}: property {key!r}")
        if value is None:
            continue
        if not (prop.check(value) or (prop.intrinsics and isinstance(value, dict) and len(value) == 1)):
            raise Refused(f"{kind}: {key} of type {type(value).__name__}")
        check_references(kind, fn, value)
        out[key] = value
    for key, prop in table.items():
        if prop.required and key not in out:
            raise Refused(f"{kind}: {key} missing")
    return out


def check_references(kind: str, fn: FunctionContext, value: Any) -> None:
    """Refuse a value holding a reference the translator rewrites after the expansion: one through a SAM
    resource's derived property (``Ref: MyFunction.Alias``, ``!GetAtt MyFunction.Alias.Arn``, ``${MyApi.Stage}``)
    or to a SAM resource whose logical id changes (a layer version)."""
    if isinstance(value, list):
        for item in value:
            check_references(kind, fn, item)
        return
    if not isinstance(value, dict):
        return
    for key, item in value.items():
        if key == "Ref" and isinstance(item, str):
            _check_target(kind, fn, item, plain_ok=True)
        elif key == "Fn::GetAtt":
            joined = ".".join(item) if isinstance(item, list) and all(isinstance(i, str) for i in item) else item
            if isinstance(joined, str):
                _check_target(kind, fn, joined, plain_ok=False)
        elif key == "Fn::Sub":
            text = item[0] if isinstance(item, list) and item else item
            if isinstance(text, str):
                for variable in _SUB_VARIABLE.findall(text):
                    _check_target(kind, fn, variable, plain_ok=True)
        check_references(kind, fn, item)


def _check_target(kind: str, fn: FunctionContext, target: str, *, plain_ok: bool) -> None:
    """``target`` is what a Ref, a GetAtt (joined with dots) or a ``${}`` of a Sub names."""
    head, dot, _ = target.partition(".")
    resources = fn.original.get("Resources")
    res = resources.get(head) if isinstance(resources, Mapping) else None
    rtype = res.get("Type") if isinstance(res, Mapping) else None
    if not isinstance(rtype, str) or not rtype.startswith(_SAM_PREFIX):
        return  # a plain resource, a parameter, a pseudo parameter: never rewritten
    if rtype == "AWS::Serverless::LayerVersion" or dot or not plain_ok:
        raise Refused(f"{kind}: reference {target!r} to a SAM resource")


def check_new_ids(kind: str, fn: FunctionContext, made: list[tuple[str, dict[str, Any]]]) -> None:
    """Refuse generated logical ids already taken: the translator rejects one that names a resource of the
    template, and silently lets a later generated resource replace an earlier one."""
    resources = fn.original.get("Resources")
    for lid, _ in made:
        if lid in fn.resources or (isinstance(resources, Mapping) and lid in resources):
            raise Refused(f"{kind}: generated logical id {lid} already in the template")


def all_events(fn: FunctionContext) -> list[Mapping[str, Any]]:
    """Every event of every function of the template, as written."""
    resources = fn.original.get("Resources")
    out: list[Mapping[str, Any]] = []
    for res in resources.values() if isinstance(resources, Mapping) else ():
        if not isinstance(res, Mapping) or res.get("Type") != "AWS::Serverless::Function":
            continue
        props = res.get("Properties")
        events = props.get("Events") if isinstance(props, Mapping) else None
        if isinstance(events, Mapping):
            out.extend(e for e in events.values() if isinstance(e, Mapping))
    return out


def named_once(kind: str, fn: FunctionContext, path: tuple[str, str], value: str) -> None:
    """Refuse a logical id the author gives a generated resource (``Properties.<path>``) when another event
    of the template gives the same: the translator keeps the last, after this one was returned."""
    count = 0
    for event in all_events(fn):
        props = event.get("Properties")
        holder = props.get(path[0]) if isinstance(props, Mapping) else None
        if isinstance(holder, Mapping) and holder.get(path[1]) == value:
            count += 1
    if count > 1:
        raise Refused(f"{kind}: {path[1]} {value} given by more than one event")


def function_resource(fn: FunctionContext) -> Mapping[str, Any]:
    resources = fn.original.get("Resources")
    res = resources.get(fn.logical_id) if isinstance(resources, Mapping) else None
    if not isinstance(res, Mapping):
        raise Refused(f"function {fn.logical_id} not found in the template")
    return res


def pass_through(fn: FunctionContext) -> dict[str, Any]:
    """The function's resource attributes every resource its events generate carries."""
    res = function_resource(fn)
    out: dict[str, Any] = {}
    for attr in PASS_THROUGH_ATTRIBUTES:
        if attr in res:
            if not isinstance(res[attr], str):
                raise Refused(f"function {attr} is not a string")
            out[attr] = res[attr]
    return out


def _function_property(fn: FunctionContext, key: str) -> Any:
    """A property of the function as written, or else from ``Globals``."""
    props = function_resource(fn).get("Properties")
    if isinstance(props, Mapping) and props.get(key) is not None:
        return props[key]
    globals_ = fn.original.get("Globals")
    section = globals_.get("Function") if isinstance(globals_, Mapping) else None
    return section.get(key) if isinstance(section, Mapping) else None


def propagates_tags(fn: FunctionContext) -> bool:
    """Whether the function passes tags to what it generates (``PropagateTags`` with ``Tags``, on it or in
    Globals): then the translator re-tags a generated queue or an edited bucket, which is not reproduced."""
    if _function_property(fn, "PropagateTags") in (None, False):
        return False
    props = function_resource(fn).get("Properties")
    globals_ = fn.original.get("Globals")
    section = globals_.get("Function") if isinstance(globals_, Mapping) else None
    return any(isinstance(where, Mapping) and where.get("Tags") for where in (props, section))


def resource(rtype: str, attributes: Mapping[str, Any], properties: dict[str, Any],
             depends_on: Any = None) -> dict[str, Any]:
    """A generated resource as the translator writes it: ``Type``, ``DependsOn``, attributes, ``Properties``
    (``properties`` already in the order of the resource's property table; ``None`` values left out)."""
    out: dict[str, Any] = {"Type": rtype}
    if depends_on:
        out["DependsOn"] = depends_on
    out.update(attributes)
    out["Properties"] = {k: v for k, v in properties.items() if v is not None}
    return out


def function_ref(fn: FunctionContext) -> dict[str, Any]:
    return {"Ref": fn.alias or fn.logical_id}


def function_arn(fn: FunctionContext) -> dict[str, Any]:
    """The function's ARN; an alias's ``Ref`` is its ARN."""
    return {"Ref": fn.alias} if fn.alias else {"Fn::GetAtt": [fn.logical_id, "Arn"]}


def permission(fn: FunctionContext, logical_id: str, principal: str, attributes: Mapping[str, Any], *,
               source_arn: Any = None, source_account: Any = None,
               event_source_token: Any = None) -> tuple[str, dict[str, Any]]:
    """The ``AWS::Lambda::Permission`` letting a service invoke the function."""
    return logical_id, resource("AWS::Lambda::Permission", attributes, {
        "Action": "lambda:InvokeFunction",
        "FunctionName": function_ref(fn),
        "Principal": principal,
        "SourceAccount": source_account,
        "SourceArn": source_arn,
        "EventSourceToken": event_source_token,
    })


def managed_policy_arn(name: str) -> str:
    return f"arn:aws:iam::aws:policy/{name}"  # remit translates in us-east-1: the `aws` partition


def role_arns(fn: FunctionContext) -> list[Any] | None:
    """The execution role's ``ManagedPolicyArns`` list (``None`` without a generated role); checked before
    anything is changed, so a refusal leaves the role as it was."""
    if fn.role is None:
        return None
    arns = fn.role.get("ManagedPolicyArns")
    if not isinstance(arns, list):
        raise Refused("execution role without a ManagedPolicyArns list")
    return arns


def role_policies(fn: FunctionContext) -> list[Any] | None:
    if fn.role is None:
        return None
    policies = fn.role.get("Policies")
    if policies is None:
        return None
    if not isinstance(policies, list) or not all(isinstance(p, dict) for p in policies):
        raise Refused("execution role Policies is not a list of mappings")
    return policies


def add_managed_policy(fn: FunctionContext, arn: str) -> None:
    arns = role_arns(fn)
    if arns is not None and arn not in arns:
        arns.append(arn)


def add_policy_unless_same_document(fn: FunctionContext, policy: dict[str, Any]) -> None:
    """Add an inline policy to the execution role unless it, or a policy with the same document, is there."""
    if fn.role is None:
        return
    policies = role_policies(fn)
    if policies is None:
        set_role_property(fn.role, "Policies", [policy])
    elif policy not in policies and policy["PolicyDocument"] not in [p.get("PolicyDocument", {}) for p in policies]:
        policies.append(policy)


def set_role_property(role: dict[str, Any], key: str, value: Any) -> None:
    """Set a property of the role, keeping the order the translator writes them in."""
    role[key] = value
    ordered = {k: role[k] for k in _ROLE_ORDER if k in role}
    ordered.update((k, v) for k, v in role.items() if k not in ordered)
    role.clear()
    role.update(ordered)


def referenced(kind: str, fn: FunctionContext, value: Any, prop: str, rtype: str) -> tuple[str, dict[str, Any]]:
    """The logical id and the current resource of the ``{"Ref": id}`` an event names in ``prop`` (an S3 event's
    bucket, a Cognito event's user pool), which the event edits; refused when it is not a ``Ref`` to a resource
    of type ``rtype`` in the template."""
    target = value.get("Ref") if isinstance(value, dict) else None
    if not isinstance(target, str):
        raise Refused(f"{kind}: {prop} is not a Ref")
    current = fn.resources.get(target)
    if not isinstance(current, dict) or current.get("Type") != rtype:
        raise Refused(f"{kind}: {prop} {target} not found")
    return target, current
