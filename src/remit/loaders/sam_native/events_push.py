"""Push event sources (S3, Schedule, EventBridgeRule / CloudWatchEvent, SNS): a permission for the service to
invoke the function, plus what connects the source to it, as aws-sam-translator 1.115 generates them.

Refused: generated queues or edited buckets of a function that propagates its tags (the translator re-tags
them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from remit.loaders.sam_native.common import FunctionContext, Refused, clone, is_intrinsic
from remit.loaders.sam_native.events_base import (
    Prop,
    add_managed_policy,
    alphanumeric,
    anything,
    check_new_ids,
    function_arn,
    function_ref,
    is_bool,
    is_dict,
    is_int,
    is_str,
    is_str_or_str_list,
    managed_policy_arn,
    named_once,
    pass_through,
    permission,
    propagates_tags,
    read_event,
    referenced,
    resource,
    role_arns,
)

Expander = Callable[[FunctionContext, str, Mapping[str, Any]], list[tuple[str, dict[str, Any]]]]

_TARGET_ID_MAX = 64
_TARGET_SUFFIX = "LambdaTarget"
_EVENTS_PRINCIPAL = "events.amazonaws.com"


def _str_to_str(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())


def _bool_or_dict(value: Any) -> bool:
    return isinstance(value, (bool, dict))


def _target_id(logical_id: str) -> str:
    if len(logical_id) + len(_TARGET_SUFFIX) <= _TARGET_ID_MAX:
        return logical_id + _TARGET_SUFFIX
    return logical_id[: _TARGET_ID_MAX - len(_TARGET_SUFFIX)] + _TARGET_SUFFIX


def rule_state(kind: str, props: Mapping[str, Any]) -> Any:
    """A rule's State: the author's ``State``, or ``Enabled`` turned into one (both is an error)."""
    if "State" in props and "Enabled" in props:
        raise Refused(f"{kind}: State and Enabled both given")
    if "Enabled" in props:
        if not isinstance(props["Enabled"], bool):
            raise Refused(f"{kind}: Enabled is not a boolean")  # the translator would take any intrinsic as true
        return "ENABLED" if props["Enabled"] else "DISABLED"
    return props.get("State") or None


# --- S3 ---------------------------------------------------------------------------------------------------------

_S3 = {
    "Bucket": Prop(is_str, required=True),
    "Events": Prop(is_str_or_str_list, required=True, intrinsics=False),
    "Filter": Prop(_str_to_str),
}
# the properties of AWS::S3::Bucket the translator knows, in its order; a bucket with any other is refused
_BUCKET_ORDER = (
    "AccessControl", "AccelerateConfiguration", "AnalyticsConfigurations", "BucketEncryption", "BucketName",
    "CorsConfiguration", "IntelligentTieringConfigurations", "InventoryConfigurations", "LifecycleConfiguration",
    "LoggingConfiguration", "MetricsConfigurations", "NotificationConfiguration", "ObjectLockConfiguration",
    "ObjectLockEnabled", "OwnershipControls", "PublicAccessBlockConfiguration", "ReplicationConfiguration", "Tags",
    "VersioningConfiguration", "WebsiteConfiguration",
)
_BUCKET_ATTRIBUTES = ("DeletionPolicy", "UpdatePolicy", "Condition", "UpdateReplacePolicy", "Metadata")


def _s3(fn: FunctionContext, name: str, event: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    kind = "S3"
    props = read_event(kind, fn, name, event, _S3)
    bucket_id, current = referenced(kind, fn, props["Bucket"], "Bucket", "AWS::S3::Bucket")
    attributes = pass_through(fn)
    if propagates_tags(fn):
        raise Refused(f"{kind}: function with PropagateTags")
    logical_id = fn.logical_id + name
    perm_id, perm = permission(fn, logical_id + "Permission", "s3.amazonaws.com", attributes,
                               source_account={"Ref": "AWS::AccountId"})
    check_new_ids(kind, fn, [(perm_id, perm)])
    fn.resources[bucket_id] = _edited_bucket(kind, fn, clone(current), perm_id, props, attributes.get("Condition"))
    return [(perm_id, perm)]


def _edited_bucket(kind: str, fn: FunctionContext, bucket: dict[str, Any], perm_id: str,
                   props: Mapping[str, Any], condition: str | None) -> dict[str, Any]:
    """The bucket depending on the permission and notifying the function, written as the translator writes
    it (its ``to_dict``: attributes it knows, properties in its order, ``None`` values left out).

    The bucket depends on the permission through ``DependsOn``; when the function has a ``Condition``, through
    a conditional ``Ref`` in a tag instead, and each notification is conditional too."""
    properties = bucket.get("Properties", {})
    if not isinstance(properties, dict):
        raise Refused(f"{kind}: bucket Properties is not a mapping")
    unknown = [k for k in properties if k not in _BUCKET_ORDER]
    if unknown:
        raise Refused(f"{kind}: bucket property {unknown[0]!r}")
    depends_on: Any = bucket.get("DependsOn")
    if condition is None:
        depends = bucket.get("DependsOn", [])
        if isinstance(depends, str):
            depends = [depends]
        if not isinstance(depends, list) or not all(isinstance(d, str) for d in depends):
            raise Refused(f"{kind}: bucket DependsOn is not a string or a list of strings")
        unique = set(depends)
        unique.add(perm_id)
        depends_on = list(unique)  # the translator's order: a set's, the same within one process
    else:
        tags = properties.get("Tags")
        if tags is None:
            tags = []
        if not isinstance(tags, list):
            raise Refused(f"{kind}: bucket Tags is not a list")
        reference = {"Fn::If": [condition, {"Ref": perm_id}, "no dependency"]}
        properties["Tags"] = [*tags, {"Key": "sam:ConditionalDependsOn:" + perm_id, "Value": reference}]
    notification = properties.get("NotificationConfiguration")
    if notification is None:
        notification = {}
    if not isinstance(notification, dict) or is_intrinsic(notification):
        raise Refused(f"{kind}: bucket NotificationConfiguration is not a mapping")
    configurations = notification.get("LambdaConfigurations")
    if configurations is None:
        configurations = []
    if not isinstance(configurations, list):
        raise Refused(f"{kind}: bucket LambdaConfigurations is not a list")
    base: dict[str, Any] = {"Function": function_arn(fn)}
    if "Filter" in props:
        base["Filter"] = props["Filter"]
    events = props["Events"]
    for event_type in [events] if isinstance(events, str) else events:
        mapping: dict[str, Any] = clone(base)
        mapping["Event"] = event_type
        if condition is not None:
            mapping = {"Fn::If": [condition, mapping, {"Ref": "AWS::NoValue"}]}
        if mapping not in configurations:
            configurations.append(mapping)
    notification["LambdaConfigurations"] = configurations
    properties["NotificationConfiguration"] = notification
    out: dict[str, Any] = {"Type": "AWS::S3::Bucket"}
    if depends_on:
        out["DependsOn"] = depends_on
    out.update((attr, bucket[attr]) for attr in _BUCKET_ATTRIBUTES if attr in bucket)
    out["Properties"] = {k: properties[k] for k in _BUCKET_ORDER if properties.get(k) is not None}
    return out


# --- Schedule ---------------------------------------------------------------------------------------------------

_SCHEDULE = {
    "Schedule": Prop(is_str, required=True),
    "RuleName": Prop(is_str),
    "Input": Prop(is_str),
    "Enabled": Prop(is_bool),
    "State": Prop(is_str),
    "Name": Prop(is_str),
    "Description": Prop(is_str),
    "RetryPolicy": Prop(is_dict),
    "DeadLetterConfig": Prop(is_dict),
}


def _schedule(fn: FunctionContext, name: str, event: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    kind = "Schedule"
    props = clone(read_event(kind, fn, name, event, _SCHEDULE))
    logical_id = fn.logical_id + name
    attributes = pass_through(fn)
    state = rule_state(kind, props)
    dlq_arn, dlq = dead_letter_queue(kind, fn, logical_id, props, attributes)
    target: dict[str, Any] = {"Arn": function_arn(fn), "Id": _target_id(logical_id)}
    if "Input" in props:
        target["Input"] = props["Input"]
    if "DeadLetterConfig" in props:
        target["DeadLetterConfig"] = {"Arn": dlq_arn}
    if "RetryPolicy" in props:
        target["RetryPolicy"] = props["RetryPolicy"]
    rule = resource("AWS::Events::Rule", attributes, {
        "Description": props.get("Description"),
        "Name": props.get("Name"),
        "ScheduleExpression": props["Schedule"],
        "State": state,
        "Targets": [target],
    })
    made = [(logical_id, rule), *dlq, permission(fn, logical_id + "Permission", _EVENTS_PRINCIPAL, attributes,
                                                 source_arn={"Fn::GetAtt": [logical_id, "Arn"]})]
    check_new_ids(kind, fn, made)
    return made


def dead_letter_config(kind: str, config: Any) -> dict[str, Any]:
    """A ``DeadLetterConfig`` of a rule or a schedule the translator accepts: ``Arn`` (not null) or ``Type:
    SQS``, with an optional ``QueueLogicalId``."""
    if not isinstance(config, dict) or not set(config) <= {"Arn", "Type", "QueueLogicalId"}:
        raise Refused(f"{kind}: DeadLetterConfig keys {sorted(config) if isinstance(config, dict) else config}")
    if ("Arn" in config) == ("Type" in config):
        raise Refused(f"{kind}: DeadLetterConfig needs one of Arn and Type")
    if "Arn" in config:
        if config["Arn"] is None:
            raise Refused(f"{kind}: DeadLetterConfig.Arn is null")
        return config
    if config["Type"] != "SQS":
        raise Refused(f"{kind}: DeadLetterConfig.Type {config['Type']!r}")
    queue_id = config.get("QueueLogicalId")
    if queue_id is not None and queue_id != "" and not alphanumeric(queue_id):
        raise Refused(f"{kind}: DeadLetterConfig.QueueLogicalId {queue_id!r}")
    return config


def dead_letter_queue(kind: str, fn: FunctionContext, rule_id: str, props: Mapping[str, Any],
                       attributes: Mapping[str, Any]) -> tuple[Any, list[tuple[str, dict[str, Any]]]]:
    """A rule's ``DeadLetterConfig``: the queue the author names (``Arn``), or one SAM makes with a policy
    letting the rule send to it (``Type: SQS``). Returns the queue's ARN and the resources made."""
    config = props.get("DeadLetterConfig")
    if config is None:
        return None, []
    config = dead_letter_config(kind, config)
    if "Arn" in config:
        return config["Arn"], []
    queue_id = config.get("QueueLogicalId") or rule_id + "Queue"
    if not alphanumeric(queue_id):
        raise Refused(f"{kind}: DeadLetterConfig.QueueLogicalId {queue_id!r}")
    if config.get("QueueLogicalId"):
        named_once(kind, fn, ("DeadLetterConfig", "QueueLogicalId"), queue_id)
    if propagates_tags(fn):
        raise Refused(f"{kind}: function with PropagateTags")
    queue_arn = {"Fn::GetAtt": [queue_id, "Arn"]}
    policy = resource("AWS::SQS::QueuePolicy", attributes, {
        "PolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [{
                "Action": "sqs:SendMessage",
                "Effect": "Allow",
                "Principal": {"Service": _EVENTS_PRINCIPAL},
                "Resource": queue_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [rule_id, "Arn"]}}},
            }],
        },
        "Queues": [{"Ref": queue_id}],
    })
    return queue_arn, [(queue_id, resource("AWS::SQS::Queue", attributes, {})), (rule_id + "QueuePolicy", policy)]


# --- EventBridgeRule / CloudWatchEvent --------------------------------------------------------------------------

def _target_only_id(value: Any) -> bool:
    return isinstance(value, dict) and list(value) == ["Id"] and (is_str(value["Id"]) or is_intrinsic(value["Id"]))


_RULE = {
    "EventBusName": Prop(is_str),
    "RuleName": Prop(is_str),
    "Pattern": Prop(is_dict),
    "RetryPolicy": Prop(is_dict),
    "Input": Prop(is_str),
    "InputPath": Prop(is_str),
    "Target": Prop(_target_only_id, intrinsics=False),
    "Enabled": Prop(is_bool),
    "State": Prop(is_str),
    "InputTransformer": Prop(is_dict),
    "DeadLetterConfig": Prop(is_dict),
}


def _rule(kind: str) -> Expander:
    def expand(fn: FunctionContext, name: str, event: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        props = clone(read_event(kind, fn, name, event, _RULE))
        logical_id = fn.logical_id + name
        attributes = pass_through(fn)
        dlq_arn, dlq = dead_letter_queue(kind, fn, logical_id, props, attributes)
        state = rule_state(kind, props)
        target: dict[str, Any] = {
            "Arn": function_arn(fn),
            "Id": props["Target"]["Id"] if "Target" in props else _target_id(logical_id),
        }
        for key in ("Input", "InputPath", "DeadLetterConfig", "RetryPolicy", "InputTransformer"):
            if key in props:
                target[key] = {"Arn": dlq_arn} if key == "DeadLetterConfig" else props[key]
        rule = resource("AWS::Events::Rule", attributes, {
            "EventBusName": props.get("EventBusName"),
            "EventPattern": props.get("Pattern"),
            "Name": props.get("RuleName"),
            "State": state,
            "Targets": [target],
        })
        made = [*dlq, (logical_id, rule), permission(fn, logical_id + "Permission", _EVENTS_PRINCIPAL, attributes,
                                                     source_arn={"Fn::GetAtt": [logical_id, "Arn"]})]
        check_new_ids(kind, fn, made)
        return made

    return expand


# --- SNS --------------------------------------------------------------------------------------------------------

_SNS = {
    "Topic": Prop(is_str, required=True),
    "Region": Prop(is_str),
    "FilterPolicy": Prop(anything, intrinsics=False),
    "FilterPolicyScope": Prop(anything, intrinsics=False),
    "SqsSubscription": Prop(_bool_or_dict),
    "RedrivePolicy": Prop(is_dict),
}


def _sns(fn: FunctionContext, name: str, event: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    kind = "SNS"
    props = clone(read_event(kind, fn, name, event, _SNS))
    logical_id = fn.logical_id + name
    attributes = pass_through(fn)
    topic = props["Topic"]
    sqs = props.get("SqsSubscription")

    def subscription(protocol: str, endpoint: Any) -> tuple[str, dict[str, Any]]:
        return logical_id, resource("AWS::SNS::Subscription", attributes, {
            "Endpoint": endpoint,
            "Protocol": protocol,
            "TopicArn": topic,
            "Region": props.get("Region"),
            "FilterPolicy": props.get("FilterPolicy"),
            "FilterPolicyScope": props.get("FilterPolicyScope"),
            "RedrivePolicy": props.get("RedrivePolicy"),
        })

    if not sqs:
        made = [permission(fn, logical_id + "Permission", "sns.amazonaws.com", attributes, source_arn=topic),
                subscription("lambda", function_arn(fn))]
        check_new_ids(kind, fn, made)
        return made
    role_arns(fn)  # checked before any change
    if sqs is True:
        if propagates_tags(fn):
            raise Refused(f"{kind}: function with PropagateTags")
        queue_id = logical_id + "Queue"
        queue_arn: Any = {"Fn::GetAtt": [queue_id, "Arn"]}
        queue_url: Any = {"Ref": queue_id}
        queue = resource("AWS::SQS::Queue", attributes, {"FifoQueue": True if _fifo_topic(kind, fn, topic) else None})
        out = [_mapping(fn, logical_id, attributes, queue_arn, None), (queue_id, queue),
               _queue_policy(logical_id + "QueuePolicy", attributes, topic, queue_arn, queue_url),
               subscription("sqs", queue_arn)]
    else:
        queue_arn, queue_url = sqs.get("QueueArn"), sqs.get("QueueUrl")
        if not queue_arn or not queue_url:
            raise Refused(f"{kind}: SqsSubscription without QueueArn or QueueUrl")
        policy_id = sqs.get("QueuePolicyLogicalId") or logical_id + "QueuePolicy"
        if not alphanumeric(policy_id):
            raise Refused(f"{kind}: QueuePolicyLogicalId {policy_id!r}")
        if sqs.get("QueuePolicyLogicalId"):
            named_once(kind, fn, ("SqsSubscription", "QueuePolicyLogicalId"), policy_id)
        batch = sqs.get("BatchSize")
        if batch is not None and not (is_int(batch) or is_intrinsic(batch)):
            raise Refused(f"{kind}: SqsSubscription.BatchSize of type {type(batch).__name__}")
        out = [_mapping(fn, logical_id, attributes, queue_arn, batch),
               _queue_policy(policy_id, attributes, topic, queue_arn, queue_url),
               subscription("sqs", queue_arn)]
    check_new_ids(kind, fn, out)
    add_managed_policy(fn, managed_policy_arn("service-role/AWSLambdaSQSQueueExecutionRole"))
    return out


def _fifo_topic(kind: str, fn: FunctionContext, topic: Any) -> bool:
    """Whether the queue SAM makes for the topic is FIFO: the topic's ``FifoTopic`` when the event names a
    topic of the template (``Ref`` or ``GetAtt``), a literal boolean; a parameter or condition is refused."""
    topic_id: Any = None
    if is_intrinsic(topic):
        ref = topic.get("Ref")
        att = topic.get("Fn::GetAtt")
        if isinstance(ref, str):
            topic_id = ref
        elif isinstance(att, list) and len(att) == 2 and isinstance(att[0], str):
            topic_id = att[0]
        elif isinstance(att, str) and len(att.split(".")) == 2:
            topic_id = att.split(".")[0]
    if topic_id is None:
        return False
    resources = fn.original.get("Resources")
    res = resources.get(topic_id, {}) if isinstance(resources, Mapping) else {}
    if not isinstance(res, Mapping):
        raise Refused(f"{kind}: topic {topic_id} is not a mapping")
    props = res.get("Properties", {})
    if not isinstance(props, Mapping):
        raise Refused(f"{kind}: topic {topic_id} Properties is not a mapping")
    fifo = props.get("FifoTopic", False)
    if not isinstance(fifo, bool):
        raise Refused(f"{kind}: topic {topic_id} FifoTopic is not a boolean")
    return fifo


def _mapping(fn: FunctionContext, logical_id: str, attributes: Mapping[str, Any], queue_arn: Any,
             batch: Any) -> tuple[str, dict[str, Any]]:
    return logical_id + "EventSourceMapping", resource("AWS::Lambda::EventSourceMapping", attributes, {
        "BatchSize": batch or 10,
        "Enabled": True,
        "EventSourceArn": queue_arn,
        "FunctionName": function_ref(fn),
    })


def _queue_policy(policy_id: str, attributes: Mapping[str, Any], topic: Any, queue_arn: Any,
                  queue_url: Any) -> tuple[str, dict[str, Any]]:
    return policy_id, resource("AWS::SQS::QueuePolicy", attributes, {
        "PolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [{
                "Action": "sqs:SendMessage",
                "Effect": "Allow",
                "Principal": "*",
                "Resource": queue_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": topic}},
            }],
        },
        "Queues": [queue_url],
    })


PUSH_TYPES: dict[str, Expander] = {
    "S3": _s3,
    "Schedule": _schedule,
    "EventBridgeRule": _rule("EventBridgeRule"),
    "CloudWatchEvent": _rule("CloudWatchEvent"),
    "SNS": _sns,
}
