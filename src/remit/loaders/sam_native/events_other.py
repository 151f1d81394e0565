"""The less used push event sources (CloudWatchLogs, IoTRule, AlexaSkill), as aws-sam-translator 1.115
generates them: a permission for the service, and the subscription filter or the topic rule that calls the
function."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from remit.loaders.sam_native.common import FunctionContext, Refused
from remit.loaders.sam_native.events_base import (
    Prop,
    check_new_ids,
    function_arn,
    is_str,
    pass_through,
    permission,
    propagates_tags,
    read_event,
    resource,
)

Made = list[tuple[str, dict[str, Any]]]

_LOGS = {"LogGroupName": Prop(is_str, required=True), "FilterPattern": Prop(is_str, required=True)}
_LOG_GROUP_ARN = "arn:aws:logs:${AWS::Region}:${AWS::AccountId}:log-group:${__LogGroupName__}:*"
_IOT = {"Sql": Prop(is_str, required=True), "AwsIotSqlVersion": Prop(is_str)}
_IOT_RULE_ARN = "arn:aws:iot:${AWS::Region}:${AWS::AccountId}:rule/${RuleName}"
_ALEXA = {"SkillId": Prop(is_str)}


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
