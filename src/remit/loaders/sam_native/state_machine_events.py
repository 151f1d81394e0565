"""The ``Schedule``, ``EventBridgeRule`` and ``CloudWatchEvent`` events of an ``AWS::Serverless::StateMachine``, as
the translator expands them: an EventBridge rule whose target starts an execution with a role SAM makes for it
(``<state machine><event>Role``, trusted by EventBridge, allowed ``states:StartExecution`` on the state
machine), and the dead-letter queue SAM makes when asked. Other event types (``Api``, ``ScheduleV2``) are
refused."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from remit.loaders.sam_native.common import FunctionContext, Refused, clone
from remit.loaders.sam_native.events_base import Prop, is_bool, is_dict, is_str, pass_through, read_event, resource
from remit.loaders.sam_native.events_push import dead_letter_queue, rule_state

_TARGET_ID_MAX = 64
_TARGET_SUFFIX = "StepFunctionsTarget"
_EVENTS_PRINCIPAL = "events.amazonaws.com"


def _target_only_id(value: Any) -> bool:
    return isinstance(value, dict) and list(value) == ["Id"] and isinstance(value["Id"], str)


_SCHEDULE = {
    "Schedule": Prop(is_str, required=True),
    "Input": Prop(is_str),
    "Enabled": Prop(is_bool),
    "State": Prop(is_str),
    "Name": Prop(is_str),
    "Description": Prop(is_str),
    "DeadLetterConfig": Prop(is_dict),
    "RetryPolicy": Prop(is_dict),
    "Target": Prop(_target_only_id, intrinsics=False),
    "RoleArn": Prop(is_str),
}
_RULE = {
    "EventBusName": Prop(is_str),
    "RuleName": Prop(is_str),
    "Pattern": Prop(is_dict),
    "Input": Prop(is_str),
    "InputPath": Prop(is_str),
    "DeadLetterConfig": Prop(is_dict),
    "RetryPolicy": Prop(is_dict),
    "State": Prop(is_str),
    "Target": Prop(_target_only_id, intrinsics=False),
    "InputTransformer": Prop(is_dict),
}


def _target_id(logical_id: str, props: Mapping[str, Any]) -> Any:
    if "Target" in props:
        return props["Target"]["Id"]
    if len(logical_id) + len(_TARGET_SUFFIX) <= _TARGET_ID_MAX:
        return logical_id + _TARGET_SUFFIX
    return logical_id[: _TARGET_ID_MAX - len(_TARGET_SUFFIX)] + _TARGET_SUFFIX


def _role(machine: FunctionContext, logical_id: str, attributes: Mapping[str, Any],
          boundary: Any) -> tuple[str, dict[str, Any]]:
    role_id = logical_id + "Role"
    props: dict[str, Any] = {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Action": ["sts:AssumeRole"], "Effect": "Allow", "Principal": {"Service": [_EVENTS_PRINCIPAL]}}]},
        "Policies": [{"PolicyName": role_id + "StartExecutionPolicy", "PolicyDocument": {"Statement": [
            {"Action": "states:StartExecution", "Effect": "Allow", "Resource": {"Ref": machine.logical_id}}]}}],
    }
    if boundary:
        props["PermissionsBoundary"] = boundary
    return role_id, resource("AWS::IAM::Role", attributes, props)


def state_machine_event(machine: FunctionContext, name: str, event: Mapping[str, Any],
                        boundary: Any) -> list[tuple[str, dict[str, Any]]]:
    """The resources of one event of the state machine ``machine`` (its ``logical_id``, ``resources`` and
    ``original``; no role of its own is edited), in the translator's order."""
    kind = event.get("Type") if isinstance(event, Mapping) else None
    if kind not in ("Schedule", "EventBridgeRule", "CloudWatchEvent"):
        raise Refused(f"StateMachine: {kind} event not expanded natively")
    props = clone(read_event(str(kind), machine, name, event, _SCHEDULE if kind == "Schedule" else _RULE))
    logical_id = machine.logical_id + name
    attributes = pass_through(machine)
    made: list[tuple[str, dict[str, Any]]] = []
    if kind == "Schedule":
        state = rule_state(kind, props)
        rule_props: dict[str, Any] = {"Description": props.get("Description"), "Name": props.get("Name"),
                                      "ScheduleExpression": props["Schedule"], "State": state}
    else:
        rule_props = {"EventBusName": props.get("EventBusName"), "EventPattern": props.get("Pattern"),
                      "Name": props.get("RuleName"), "State": props.get("State") or None}
    made.append((logical_id, {}))  # the rule, filled in below once its target is known
    role_arn: Any = props.get("RoleArn")
    if role_arn is None:
        role_id, role = _role(machine, logical_id, attributes, boundary)
        made.append((role_id, role))
        role_arn = {"Fn::GetAtt": [role_id, "Arn"]}
    dlq_arn, dlq = dead_letter_queue(str(kind), machine, logical_id, props, attributes)
    made.extend(dlq)
    target: dict[str, Any] = {"Arn": {"Ref": machine.logical_id}, "Id": _target_id(logical_id, props),
                              "RoleArn": role_arn}
    keys = ("Input", "DeadLetterConfig", "RetryPolicy") if kind == "Schedule" else \
        ("Input", "InputPath", "DeadLetterConfig", "RetryPolicy", "InputTransformer")
    for key in keys:
        if key in props:
            target[key] = {"Arn": dlq_arn} if key == "DeadLetterConfig" else props[key]
    made[0] = (logical_id, resource("AWS::Events::Rule", attributes, {**rule_props, "Targets": [target]}))
    return made
