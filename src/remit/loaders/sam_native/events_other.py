"""The less used push event sources (CloudWatchLogs, IoTRule, AlexaSkill, Cognito, ScheduleV2), as
aws-sam-translator 1.115 generates them: a permission for the service, and the subscription filter or the
topic rule that calls the function; a Cognito event instead edits the user pool it names, as an S3 event
edits its bucket; a ScheduleV2 event makes an EventBridge Scheduler schedule and the role it invokes with."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from remit.loaders.sam_native.common import FunctionContext, Refused, clone, is_intrinsic
from remit.loaders.sam_native.events_base import (
    Prop,
    check_new_ids,
    function_arn,
    function_resource,
    is_bool,
    is_dict,
    is_str,
    is_str_or_str_list,
    named_once,
    pass_through,
    permission,
    propagates_tags,
    read_event,
    referenced,
    resource,
)
from remit.loaders.sam_native.events_push import dead_letter_config

Made = list[tuple[str, dict[str, Any]]]

_LOGS = {"LogGroupName": Prop(is_str, required=True), "FilterPattern": Prop(is_str, required=True)}
_LOG_GROUP_ARN = "arn:aws:logs:${AWS::Region}:${AWS::AccountId}:log-group:${__LogGroupName__}:*"
_IOT = {"Sql": Prop(is_str, required=True), "AwsIotSqlVersion": Prop(is_str)}
_IOT_RULE_ARN = "arn:aws:iot:${AWS::Region}:${AWS::AccountId}:rule/${RuleName}"
_ALEXA = {"SkillId": Prop(is_str)}
_COGNITO = {"UserPool": Prop(is_str, required=True),
            "Trigger": Prop(is_str_or_str_list, required=True, intrinsics=False)}
# the properties of AWS::Cognito::UserPool the translator knows, in its order; a pool with any other is refused
_USER_POOL_ORDER = (
    "AccountRecoverySetting", "AdminCreateUserConfig", "AliasAttributes", "AutoVerifiedAttributes",
    "DeletionProtection", "DeviceConfiguration", "EmailAuthenticationMessage", "EmailAuthenticationSubject",
    "EmailConfiguration", "EmailVerificationMessage", "EmailVerificationSubject", "EnabledMfas", "LambdaConfig",
    "MfaConfiguration", "Policies", "Schema", "SmsAuthenticationMessage", "SmsConfiguration",
    "SmsVerificationMessage", "UserAttributeUpdateSettings", "UsernameAttributes", "UsernameConfiguration",
    "UserPoolAddOns", "UserPoolName", "UserPoolTags", "UserPoolTier", "VerificationMessageTemplate",
    "WebAuthnRelyingPartyID", "WebAuthnUserVerification",
)
_ATTRIBUTES = ("DeletionPolicy", "UpdatePolicy", "Condition", "UpdateReplacePolicy", "Metadata")


def cloudwatch_logs(fn: FunctionContext, name: str, event: Mapping[str, Any]) -> Made:
    """A subscription filter of the log group, depending on the permission for CloudWatch Logs."""
    kind = "CloudWatchLogs"
    props = read_event(kind, fn, name, event, _LOGS)
    logical_id = fn.logical_id + name
    attributes = pass_through(fn)
    group = props["LogGroupName"]
    perm = permission(fn, logical_id + "Permission", "logs.amazonaws.com", attributes,
                      source_arn={"Fn::Sub": [_LOG_GROUP_ARN, {"__LogGroupName__": group}]})
    subscription = resource("AWS::Logs::SubscriptionFilter", attributes, {
        "LogGroupName": group,
        "FilterPattern": props["FilterPattern"],
        "DestinationArn": function_arn(fn),
    }, depends_on=[perm[0]])
    made = [perm, (logical_id, subscription)]
    check_new_ids(kind, fn, made)
    return made


def iot_rule(fn: FunctionContext, name: str, event: Mapping[str, Any]) -> Made:
    """An IoT topic rule whose action is the function, and the permission for IoT."""
    kind = "IoTRule"
    props = read_event(kind, fn, name, event, _IOT)
    if propagates_tags(fn):
        raise Refused(f"{kind}: function with PropagateTags")  # the translator tags the topic rule
    logical_id = fn.logical_id + name
    attributes = pass_through(fn)
    payload: dict[str, Any] = {
        "Sql": props["Sql"],
        "RuleDisabled": False,
        "Actions": [{"Lambda": {"FunctionArn": function_arn(fn)}}],
    }
    if props.get("AwsIotSqlVersion"):
        payload["AwsIotSqlVersion"] = props["AwsIotSqlVersion"]
    made = [
        permission(fn, logical_id + "Permission", "iot.amazonaws.com", attributes,
                   source_arn={"Fn::Sub": [_IOT_RULE_ARN, {"RuleName": {"Ref": logical_id}}]},
                   source_account={"Fn::Sub": "${AWS::AccountId}"}),
        (logical_id, resource("AWS::IoT::TopicRule", attributes, {"TopicRulePayload": payload})),
    ]
    check_new_ids(kind, fn, made)
    return made


def alexa_skill(fn: FunctionContext, name: str, event: Mapping[str, Any]) -> Made:
    """The permission for the Alexa Skills Kit, scoped to the skill when ``SkillId`` is given."""
    kind = "AlexaSkill"
    props = read_event(kind, fn, name, event, _ALEXA)
    logical_id = fn.logical_id + name
    made = [permission(fn, logical_id + "Permission", "alexa-appkit.amazon.com", pass_through(fn),
                       event_source_token=props.get("SkillId"))]
    check_new_ids(kind, fn, made)
    return made


def _cognito_permission(fn: FunctionContext, name: str, pool_id: str) -> Made:
    """The permission of a function's one Cognito event, ``<function>CognitoPermission`` (with several, the
    translator writes it for each, the later replacing the earlier without the function's Metadata: refused)."""
    props = function_resource(fn).get("Properties")
    events = props.get("Events") if isinstance(props, Mapping) else None
    if not isinstance(events, Mapping):
        raise Refused(f"Cognito: the events of {fn.logical_id} are not a mapping")
    names = sorted(n for n, e in events.items() if isinstance(e, Mapping) and e.get("Type") == "Cognito")
    if len(names) > 1:
        # the translator writes the permission for each, the later replacing the earlier without the function's
        # Metadata: not reproduced
        raise Refused(f"Cognito: {fn.logical_id} has several Cognito events")
    return [permission(fn, fn.logical_id + "CognitoPermission", "cognito-idp.amazonaws.com", pass_through(fn),
                       source_arn={"Fn::GetAtt": [pool_id, "Arn"]})]


def cognito(fn: FunctionContext, name: str, event: Mapping[str, Any]) -> Made:
    """The user pool's ``LambdaConfig`` calling the function for each trigger (the pool in ``fn.resources`` is
    rewritten as the translator writes it), and the function's Cognito permission."""
    kind = "Cognito"
    props = read_event(kind, fn, name, event, _COGNITO)
    pool_id, current = referenced(kind, fn, props["UserPool"], "UserPool", "AWS::Cognito::UserPool")
    pool = clone(current)
    properties = pool.get("Properties", {})
    if not isinstance(properties, dict):
        raise Refused(f"{kind}: user pool Properties is not a mapping")
    unknown = [k for k in properties if k not in _USER_POOL_ORDER]
    if unknown:
        raise Refused(f"{kind}: user pool property {unknown[0]!r}")
    config = properties.get("LambdaConfig")
    if config is None:
        config = {}
    if not isinstance(config, dict) or is_intrinsic(config):
        raise Refused(f"{kind}: user pool LambdaConfig is not a mapping")
    triggers = props["Trigger"]
    for trigger in [triggers] if isinstance(triggers, str) else triggers:
        if trigger in config:
            raise Refused(f"{kind}: trigger {trigger} given twice")
        config[trigger] = function_arn(fn)
    properties["LambdaConfig"] = config
    made = _cognito_permission(fn, name, pool_id)
    check_new_ids(kind, fn, made)
    out: dict[str, Any] = {"Type": "AWS::Cognito::UserPool"}
    if pool.get("DependsOn"):
        out["DependsOn"] = pool["DependsOn"]
    out.update((attr, pool[attr]) for attr in _ATTRIBUTES if attr in pool)
    out["Properties"] = {k: properties[k] for k in _USER_POOL_ORDER if properties.get(k) is not None}
    fn.resources[pool_id] = out
    return made


_SCHEDULE_V2 = {
    "PermissionsBoundary": Prop(is_str),
    "ScheduleExpression": Prop(is_str, required=True),
    "FlexibleTimeWindow": Prop(is_dict),
    "Name": Prop(is_str),
    "State": Prop(is_str),
    "Description": Prop(is_str),
    "StartDate": Prop(is_str),
    "EndDate": Prop(is_str),
    "ScheduleExpressionTimezone": Prop(is_str),
    "GroupName": Prop(is_str),
    "KmsKeyArn": Prop(is_str),
    "Input": Prop(is_str),
    "RoleArn": Prop(is_str),
    "DeadLetterConfig": Prop(is_dict),
    "RetryPolicy": Prop(is_dict),
    "OmitName": Prop(is_bool, intrinsics=False),
}


def schedule_v2(fn: FunctionContext, name: str, event: Mapping[str, Any]) -> Made:
    """An ``AWS::Scheduler::Schedule`` invoking the function, the dead-letter queue SAM makes for it (no queue
    policy, unlike a rule's) and, without ``RoleArn``, the role the scheduler assumes (``<id>Role``)."""
    kind = "ScheduleV2"
    props = clone(read_event(kind, fn, name, event, _SCHEDULE_V2))
    logical_id = fn.logical_id + name
    attributes = pass_through(fn)
    if props.get("OmitName") and props.get("Name"):
        raise Refused(f"{kind}: Name with OmitName")
    made: Made = []
    dlq_arn = None
    if "DeadLetterConfig" in props:
        config = dead_letter_config(kind, props["DeadLetterConfig"])
        if "Arn" in config:
            dlq_arn = config["Arn"]
        else:
            queue_id = config.get("QueueLogicalId") or logical_id + "Queue"
            if config.get("QueueLogicalId"):
                named_once(kind, fn, ("DeadLetterConfig", "QueueLogicalId"), queue_id)
            if propagates_tags(fn):
                raise Refused(f"{kind}: function with PropagateTags")  # the translator tags the queue
            dlq_arn = {"Fn::GetAtt": [queue_id, "Arn"]}
            made.append((queue_id, resource("AWS::SQS::Queue", attributes, {})))
    role_arn = props.get("RoleArn")
    if not role_arn:
        if propagates_tags(fn):
            raise Refused(f"{kind}: function with PropagateTags")  # the translator tags the role
        policies = [{"PolicyName": logical_id + "LambdaPolicy", "PolicyDocument": {"Statement": [
            {"Action": "lambda:InvokeFunction", "Effect": "Allow", "Resource": function_arn(fn)}]}}]
        if dlq_arn:
            policies.append({"PolicyName": logical_id + "SQSPolicy", "PolicyDocument": {"Statement": [
                {"Action": "sqs:SendMessage", "Effect": "Allow", "Resource": dlq_arn}]}})
        role_id = logical_id + "Role"
        made.append((role_id, resource("AWS::IAM::Role", attributes, {
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Action": ["sts:AssumeRole"], "Effect": "Allow",
                "Principal": {"Service": ["scheduler.amazonaws.com"]}}]},
            "Policies": policies,
            "PermissionsBoundary": props.get("PermissionsBoundary") or None,
        })))
        role_arn = {"Fn::GetAtt": [role_id, "Arn"]}
    target: dict[str, Any] = {"Arn": function_arn(fn), "RoleArn": role_arn}
    for key in ("Input", "DeadLetterConfig", "RetryPolicy"):
        if key in props:
            target[key] = {"Arn": dlq_arn} if key == "DeadLetterConfig" else props[key]
    schedule = resource("AWS::Scheduler::Schedule", attributes, {
        "ScheduleExpression": props["ScheduleExpression"],
        "FlexibleTimeWindow": props.get("FlexibleTimeWindow") or {"Mode": "OFF"},
        "Name": None if props.get("OmitName") else props.get("Name") or logical_id,
        "State": props.get("State") or None,
        "Description": props.get("Description"),
        "StartDate": props.get("StartDate"),
        "EndDate": props.get("EndDate"),
        "ScheduleExpressionTimezone": props.get("ScheduleExpressionTimezone"),
        "GroupName": props.get("GroupName"),
        "KmsKeyArn": props.get("KmsKeyArn"),
        "Target": target,
    })
    made.insert(0, (logical_id, schedule))
    check_new_ids(kind, fn, made)
    return made
