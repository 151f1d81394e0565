"""A function's asynchronous invocation settings, as aws-sam-translator expands them: ``DeadLetterQueue`` (the
function's ``DeadLetterConfig`` and a role policy to send to it) and ``EventInvokeConfig`` (an
``AWS::Lambda::EventInvokeConfig``, the SQS queue or SNS topic SAM creates for a destination given by type only,
and a role policy per destination). The role policies come before the author's, dead-letter first, as the
translator writes them. Destinations chosen by ``Fn::If`` and values the translator resolves from parameters are
refused."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from remit.loaders.sam_native.common import Refused, is_intrinsic, refers_to_parameters

_DLQ_ACTIONS = {"SQS": "sqs:SendMessage", "SNS": "sns:Publish"}
_DESTINATION_TYPES = ("SQS", "SNS", "EventBridge", "Lambda", "S3Bucket")  # the translator's accepted types


def dead_letter(props: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """``(DeadLetterConfig, role policy)`` for the function's ``DeadLetterQueue``, or ``None`` without one."""
    queue = props.get("DeadLetterQueue")
    if queue is None:
        return None
    if not isinstance(queue, dict) or is_intrinsic(queue) or set(queue) - {"Type", "TargetArn"}:
        raise Refused("Function: DeadLetterQueue written in a shape not reproduced")
    kind, target = queue.get("Type"), queue.get("TargetArn")
    if not isinstance(kind, str) or kind not in _DLQ_ACTIONS or not target:
        raise Refused("Function: DeadLetterQueue the translator rejects")
    return {"TargetArn": target}, {"PolicyName": "DeadLetterQueuePolicy", "PolicyDocument": {
        "Version": "2012-10-17", "Statement": [{"Action": _DLQ_ACTIONS[kind], "Resource": target, "Effect": "Allow"}]}}


# a destination type -> (the suffix of its role policy's name, the one action it allows on the destination)
_DESTINATION_POLICIES = {"SQS": ("SQSPolicy", "sqs:SendMessage"), "SNS": ("SNSPolicy", "sns:publish"),
                         "EventBridge": ("EventBridgePolicy", "events:PutEvents"),
                         "Lambda": ("LambdaPolicy", "lambda:InvokeFunction")}


def _policy(kind: str, arn: Any, logical_id: str) -> dict[str, Any]:
    if kind == "S3Bucket":  # objects put under the bucket, and listing it
        return {"PolicyName": logical_id + "S3Policy", "PolicyDocument": {"Statement": [
            {"Action": "s3:PutObject", "Effect": "Allow", "Resource": {"Fn::Join": ["/", [arn, "*"]]}},
            {"Action": "s3:ListBucket", "Effect": "Allow", "Resource": arn}]}}
    suffix, action = _DESTINATION_POLICIES[kind]
    return {"PolicyName": logical_id + suffix, "PolicyDocument": {
        "Statement": [{"Action": action, "Effect": "Allow", "Resource": arn}]}}


def event_invoke(lid: str, resource: Mapping[str, Any], props: Mapping[str, Any], alias: tuple[str, str] | None,
                 parameters: Mapping[str, Any]) -> tuple[list[tuple[str, dict[str, Any]]], list[dict[str, Any]]]:
    """The resources ``EventInvokeConfig`` makes (the queues or topics SAM creates, then the configuration) and
    the role policies for its destinations. ``alias`` is ``(logical id, name)`` of the function's published
    alias, which the configuration then qualifies and depends on; the configuration carries the function's
    ``Metadata`` where the translator puts it (other resource attributes are refused)."""
    config = props.get("EventInvokeConfig")
    if not config:
        return [], []
    if any(name in resource for name in ("Condition", "DeletionPolicy", "UpdatePolicy", "UpdateReplacePolicy")):
        raise Refused("Function: EventInvokeConfig on a function with resource attributes")
    if not isinstance(config, dict) or is_intrinsic(config) or set(config) - {
            "DestinationConfig", "MaximumEventAgeInSeconds", "MaximumRetryAttempts"}:
        raise Refused("Function: EventInvokeConfig written in a shape not reproduced")
    if refers_to_parameters(config, parameters):
        raise Refused("Function: EventInvokeConfig refers to a parameter (the translator resolves it)")
    config_id = f"{lid}EventInvokeConfig"
    made: list[tuple[str, dict[str, Any]]] = []
    policies: list[dict[str, Any]] = []
    destinations: dict[str, Any] = {}
    given = config.get("DestinationConfig")
    if given:
        if not isinstance(given, dict) or is_intrinsic(given) or set(given) - {"OnSuccess", "OnFailure"}:
            raise Refused("Function: EventInvokeConfig.DestinationConfig written in a shape not reproduced")
        for when in ("OnSuccess", "OnFailure"):
            target = given.get(when)
            if target is None:
                continue
            if not isinstance(target, dict) or is_intrinsic(target) or set(target) - {"Type", "Destination"}:
                raise Refused(f"Function: EventInvokeConfig {when} written in a shape not reproduced")
            kind, arn = target.get("Type"), target.get("Destination")
            if not isinstance(kind, str) or kind not in _DESTINATION_TYPES:
                raise Refused(f"Function: EventInvokeConfig {when} Type the translator rejects")
            if isinstance(arn, dict) and "Fn::If" in arn:
                raise Refused(f"Function: EventInvokeConfig {when} Destination chosen by Fn::If")
            named = config_id + when
            if arn is None:
                if kind == "SQS":
                    made.append((named + "Queue", {"Type": "AWS::SQS::Queue", "Properties": {}}))
                    arn = {"Fn::GetAtt": [named + "Queue", "Arn"]}
                elif kind == "SNS":
                    made.append((named + "Topic", {"Type": "AWS::SNS::Topic", "Properties": {}}))
                    arn = {"Ref": named + "Topic"}
                else:
                    raise Refused(f"Function: EventInvokeConfig {when} without Destination (the translator "
                                  "rejects it)")
            destinations[when] = {"Destination": arn}
            policies.append(_policy(kind, arn, named))
    properties: dict[str, Any] = {"DestinationConfig": destinations, "FunctionName": {"Ref": lid}}
    for name in ("MaximumEventAgeInSeconds", "MaximumRetryAttempts"):
        if config.get(name) is not None:
            properties[name] = config[name]
    properties["Qualifier"] = alias[1] if alias else "$LATEST"
    out: dict[str, Any] = {"Type": "AWS::Lambda::EventInvokeConfig"}
    if alias:
        out["DependsOn"] = [alias[0]]
    if resource.get("Metadata"):
        out["Metadata"] = resource["Metadata"]
    out["Properties"] = properties
    made.append((config_id, out))
    return made, policies
