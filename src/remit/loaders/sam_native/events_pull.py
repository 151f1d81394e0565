"""Pull event sources: one ``AWS::Lambda::EventSourceMapping`` each, plus what the execution role needs to
read the source (an AWS managed policy, an inline policy) and a policy to send failed batches on when the
author names an ``OnFailure`` destination with its ``Type``.

As aws-sam-translator 1.115 expands them: the mapping is named ``<function><event>``, takes the function's
pass-through attributes, refers to the function by ``Ref``; its properties are the event's, copied as written,
in the mapping's property order. The role gets the managed policy, then the type's inline policy, then the
destination's. SQS, Kinesis and DynamoDB are described here; the brokers (MSK, self-managed Kafka, Amazon MQ,
DocumentDB), whose inline policies depend on their settings, in ``events_brokers``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from remit.loaders.sam_native.common import FunctionContext, Refused, clone, is_intrinsic
from remit.loaders.sam_native.events_base import (
    Prop,
    add_managed_policy,
    add_policy_unless_same_document,
    anything,
    check_new_ids,
    function_ref,
    is_bool,
    is_dict,
    is_int,
    is_list,
    is_str,
    managed_policy_arn,
    pass_through,
    read_event,
    resource,
    role_arns,
    role_policies,
    set_role_property,
)

_COMMON = {
    "BatchSize": Prop(is_int),
    "StartingPosition": Prop(anything, intrinsics=False),
    "StartingPositionTimestamp": Prop(anything, intrinsics=False),
    "Enabled": Prop(is_bool),
    "MaximumBatchingWindowInSeconds": Prop(is_int),
    "MaximumRetryAttempts": Prop(is_int),
    "BisectBatchOnFunctionError": Prop(is_bool),
    "MaximumRecordAgeInSeconds": Prop(is_int),
    "DestinationConfig": Prop(is_dict),
    "ParallelizationFactor": Prop(is_int),
    "TumblingWindowInSeconds": Prop(is_int),
    "FunctionResponseTypes": Prop(is_list),
    "FilterCriteria": Prop(is_dict),
    "KmsKeyArn": Prop(anything, intrinsics=False),
    "ScalingConfig": Prop(is_dict),
    "ProvisionedPollerConfig": Prop(is_dict),
    "MetricsConfig": Prop(is_dict),
    "LoggingConfig": Prop(is_dict),
    # read by some pull types (Kafka, MQ): on the others, passed on as they are, dropped or rejected
    "Topics": Prop(is_list),
    "Queues": Prop(is_list),
    "SourceAccessConfigurations": Prop(is_list),
    "KafkaBootstrapServers": Prop(is_list),
    "SecretsManagerKmsKeyId": Prop(is_str),
    "SchemaRegistryConfig": Prop(is_dict),
    "ConsumerGroupId": Prop(is_str),
}

# the properties of AWS::Lambda::EventSourceMapping, in the translator's order
_MAPPING_ORDER = (
    "BatchSize", "DocumentDBEventSourceConfig", "Enabled", "EventSourceArn", "FunctionName",
    "MaximumBatchingWindowInSeconds", "MaximumRetryAttempts", "BisectBatchOnFunctionError",
    "MaximumRecordAgeInSeconds", "DestinationConfig", "ParallelizationFactor", "StartingPosition",
    "StartingPositionTimestamp", "Topics", "Queues", "SourceAccessConfigurations", "TumblingWindowInSeconds",
    "FunctionResponseTypes", "SelfManagedEventSource", "FilterCriteria", "KmsKeyArn",
    "AmazonManagedKafkaEventSourceConfig", "SelfManagedKafkaEventSourceConfig", "ScalingConfig",
    "ProvisionedPollerConfig", "MetricsConfig", "LoggingConfig",
)
_DESTINATION_POLICIES = {"SQS": "SQSPolicy", "SNS": "SNSPolicy", "S3": "S3Policy"}

Statements = Callable[[str, str, dict[str, Any]], "list[dict[str, Any]] | None"]


def _no_statements(kind: str, logical_id: str, props: dict[str, Any]) -> list[dict[str, Any]] | None:
    return None


def _no_fields(props: dict[str, Any]) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class PullType:
    """What differs between pull event types: the property naming the source (``None``: no EventSourceArn),
    the type's own properties, the AWS managed policy, the inline policies (which check the settings they read,
    refusing what the translator rejects), the mapping's type-specific fields, and the common properties the
    type ignores (dropped) or the translator rejects on it (refused)."""

    source: str | None
    own: Mapping[str, Prop]
    managed_policy: str | None = None
    statements: Statements = _no_statements
    fields: Callable[[dict[str, Any]], dict[str, Any]] = _no_fields
    dropped: tuple[str, ...] = ("SecretsManagerKmsKeyId", "SchemaRegistryConfig")
    refused: tuple[str, ...] = ("ConsumerGroupId",)
    table: dict[str, Prop] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        table = {k: v for k, v in _COMMON.items() if k not in self.refused}
        table.update(self.own)
        object.__setattr__(self, "table", table)


_STREAM = {"Stream": Prop(anything, required=True, intrinsics=False),
           "StartingPosition": Prop(anything, required=True, intrinsics=False)}

PULL_TYPES: dict[str, PullType] = {
    "SQS": PullType("Queue", {"Queue": Prop(anything, required=True, intrinsics=False)},
                    "service-role/AWSLambdaSQSQueueExecutionRole"),
    "Kinesis": PullType("Stream", _STREAM, "service-role/AWSLambdaKinesisExecutionRole"),
    "DynamoDB": PullType("Stream", _STREAM, "service-role/AWSLambdaDynamoDBExecutionRole"),
}


def pull_resources(kind: str, spec: PullType, fn: FunctionContext, name: str,
                   event: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    props = clone(read_event(kind, fn, name, event, spec.table))
    logical_id = fn.logical_id + name
    _check_filter(kind, props.get("FilterCriteria"))
    values: dict[str, Any] = {k: v for k, v in props.items() if k not in spec.dropped}
    servers = values.pop("KafkaBootstrapServers", None)
    if servers:
        values["SelfManagedEventSource"] = {"Endpoints": {"KafkaBootstrapServers": servers}}
    values.update(spec.fields(props))
    destination_policy = _destination(kind, logical_id, values)
    policies = spec.statements(kind, logical_id, props)
    arns = role_arns(fn)  # checked before any change
    if destination_policy is not None or policies is not None:
        existing = role_policies(fn) or []
        if policies is not None and any("PolicyDocument" not in p for p in existing):
            raise Refused(f"{kind}: an execution role policy without PolicyDocument")  # the translator fails
    if spec.source is not None:
        values["EventSourceArn"] = values.pop(spec.source)
    values["FunctionName"] = function_ref(fn)
    mapping = resource("AWS::Lambda::EventSourceMapping", pass_through(fn),
                       {key: values.get(key) for key in _MAPPING_ORDER})
    check_new_ids(kind, fn, [(logical_id, mapping)])
    if arns is not None:
        if spec.managed_policy is not None:
            add_managed_policy(fn, managed_policy_arn(spec.managed_policy))
        if policies is not None:
            _add_policies(fn, policies)
        if destination_policy is not None:
            add_policy_unless_same_document(fn, destination_policy)
    return [(logical_id, mapping)]


def _add_policies(fn: FunctionContext, policies: list[dict[str, Any]]) -> None:
    """Add inline policies to the execution role as the translator adds a type's own: each unless it, or a
    policy with the same document, is there."""
    assert fn.role is not None
    existing = role_policies(fn)
    if existing is None:
        existing = []
        set_role_property(fn.role, "Policies", existing)
    for policy in policies:
        if policy not in existing and policy["PolicyDocument"] not in [p["PolicyDocument"] for p in existing]:
            existing.append(policy)


def _check_filter(kind: str, criteria: Any) -> None:
    if not criteria or is_intrinsic(criteria):
        return
    if list(criteria) != ["Filters"]:
        raise Refused(f"{kind}: FilterCriteria keys {list(criteria)}")  # the translator rejects it


def _destination(kind: str, logical_id: str, props: dict[str, Any]) -> dict[str, Any] | None:
    """Read ``DestinationConfig`` as the translator does: an empty one is dropped; ``OnFailure.Type`` (SQS, SNS,
    S3, Kafka) is taken out of what the mapping gets and, but for Kafka, turned into a policy for the execution
    role."""
    config = props.get("DestinationConfig")
    if config is None:
        return None
    if not config:
        props.pop("DestinationConfig")  # the translator writes a DestinationConfig only when it is not empty
        return None
    on_failure = config.get("OnFailure")
    if not isinstance(on_failure, dict):
        raise Refused(f"{kind}: DestinationConfig.OnFailure is not a mapping")
    if "Type" not in on_failure:
        return None
    kind_of = on_failure["Type"]
    if kind_of == "Kafka":
        del on_failure["Type"]  # a Kafka destination gets no policy
        return None
    if kind_of not in _DESTINATION_POLICIES:
        raise Refused(f"{kind}: DestinationConfig.OnFailure.Type {kind_of!r}")
    if "Destination" not in on_failure or on_failure["Destination"] is None:
        raise Refused(f"{kind}: DestinationConfig.OnFailure without Destination")
    del on_failure["Type"]
    arn = on_failure["Destination"]
    name = logical_id + _DESTINATION_POLICIES[kind_of]
    if kind_of == "SQS":
        statements: list[dict[str, Any]] = [{"Action": "sqs:SendMessage", "Effect": "Allow", "Resource": arn}]
    elif kind_of == "SNS":
        statements = [{"Action": "sns:publish", "Effect": "Allow", "Resource": arn}]
    else:
        statements = [
            {"Action": "s3:PutObject", "Effect": "Allow", "Resource": {"Fn::Join": ["/", [arn, "*"]]}},
            {"Action": "s3:ListBucket", "Effect": "Allow", "Resource": arn},
        ]
    return {"PolicyName": name, "PolicyDocument": {"Statement": statements}}
