"""Pull event sources (SQS, Kinesis, DynamoDB): one ``AWS::Lambda::EventSourceMapping`` each, plus the AWS
managed policy the execution role needs to read the source, and a policy to send failed batches on when the
author names an ``OnFailure`` destination with its ``Type``.

As aws-sam-translator 1.115 expands them: the mapping is named ``<function><event>``, takes the function's
pass-through attributes, refers to the function by ``Ref``; its properties are the event's, copied as written,
in the mapping's property order. Properties the translator reads for other pull types (Kafka, MQ) are passed
on or dropped as it does; ``ConsumerGroupId``, an error on these types, is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from remit.loaders.sam_native.common import FunctionContext, Refused
from remit.loaders.sam_native.events_base import (
    Prop,
    add_managed_policy,
    add_policy_unless_same_document,
    anything,
    check_new_ids,
    clone,
    function_ref,
    is_bool,
    is_dict,
    is_int,
    is_intrinsic,
    is_list,
    is_str,
    managed_policy_arn,
    pass_through,
    read_event,
    resource,
    role_arns,
    role_policies,
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
    # read for other pull types (Kafka, MQ): on these three, passed on as they are, or dropped
    "Topics": Prop(is_list),
    "Queues": Prop(is_list),
    "SourceAccessConfigurations": Prop(is_list),
    "KafkaBootstrapServers": Prop(is_list),
    "SecretsManagerKmsKeyId": Prop(is_str),
    "SchemaRegistryConfig": Prop(is_dict),
}
_DROPPED = ("SecretsManagerKmsKeyId", "SchemaRegistryConfig")

# event type -> (the property naming the source, whether StartingPosition is required, the managed policy)
PULL_TYPES = {
    "SQS": ("Queue", False, "service-role/AWSLambdaSQSQueueExecutionRole"),
    "Kinesis": ("Stream", True, "service-role/AWSLambdaKinesisExecutionRole"),
    "DynamoDB": ("Stream", True, "service-role/AWSLambdaDynamoDBExecutionRole"),
}

# the properties of AWS::Lambda::EventSourceMapping a SQS/Kinesis/DynamoDB event fills, in the translator's order
_MAPPING_ORDER = (
    "BatchSize", "Enabled", "EventSourceArn", "FunctionName", "MaximumBatchingWindowInSeconds",
    "MaximumRetryAttempts", "BisectBatchOnFunctionError", "MaximumRecordAgeInSeconds", "DestinationConfig",
    "ParallelizationFactor", "StartingPosition", "StartingPositionTimestamp", "Topics", "Queues",
    "SourceAccessConfigurations", "TumblingWindowInSeconds", "FunctionResponseTypes", "SelfManagedEventSource",
    "FilterCriteria", "KmsKeyArn", "ScalingConfig", "ProvisionedPollerConfig", "MetricsConfig", "LoggingConfig",
)
_DESTINATION_POLICIES = {"SQS": "SQSPolicy", "SNS": "SNSPolicy", "S3": "S3Policy"}


def _table(kind: str) -> dict[str, Prop]:
    source, position_required, _ = PULL_TYPES[kind]
    table = dict(_COMMON)
    table[source] = Prop(anything, required=True, intrinsics=False)
    if position_required:
        table["StartingPosition"] = Prop(anything, required=True, intrinsics=False)
    return table


_TABLES = {kind: _table(kind) for kind in PULL_TYPES}


def pull_resources(kind: str, fn: FunctionContext, name: str,
                   event: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    props = clone(read_event(kind, fn, name, event, _TABLES[kind]))
    logical_id = fn.logical_id + name
    source, _, policy = PULL_TYPES[kind]
    _check_filter(kind, props.get("FilterCriteria"))
    destination_policy = _destination(kind, logical_id, props)
    arns = role_arns(fn)  # checked before any change
    if destination_policy is not None:
        role_policies(fn)
    values: dict[str, Any] = {k: v for k, v in props.items() if k not in _DROPPED}
    servers = values.pop("KafkaBootstrapServers", None)
    if servers:
        values["SelfManagedEventSource"] = {"Endpoints": {"KafkaBootstrapServers": servers}}
    values.pop(source)
    values["EventSourceArn"] = props[source]
    values["FunctionName"] = function_ref(fn)
    mapping = resource("AWS::Lambda::EventSourceMapping", pass_through(fn),
                       {key: values.get(key) for key in _MAPPING_ORDER})
    check_new_ids(kind, fn, [(logical_id, mapping)])
    if arns is not None:
        add_managed_policy(fn, managed_policy_arn(policy))
        if destination_policy is not None:
            add_policy_unless_same_document(fn, destination_policy)
    return [(logical_id, mapping)]


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
