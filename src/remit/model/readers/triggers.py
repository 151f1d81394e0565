"""Trigger readers: what invokes a function, read from the resources that wire it (API routes, function URLs,
event source mappings, bucket notifications, SNS subscriptions, EventBridge rules and schedules, pipes, Cognito
triggers, IoT rules, log subscriptions, custom resources, Object Lambda access points, load balancer targets).

What each kind of trigger *is* lives in :mod:`remit.model.triggers`; these readers only find them. They run after
the readers of APIs, function URLs and user pools, whose entities they read.
"""

from __future__ import annotations

from collections.abc import Mapping

from remit.model.entities import Trigger
from remit.model.readers.context import Context
from remit.model.resources import Resource, ResourceId
from remit.model.triggers import TriggerKind
from remit.model.values import Value, items, render, text
from remit.source import NodePath


def _add(ctx: Context, kind: TriggerKind, fn: ResourceId | None, node: NodePath, detail: str,
         source_id: ResourceId | None = None, source: Value | None = None, carrier: ResourceId | None = None,
         filters: Mapping[str, Value] | None = None, on_failure: Value | None = None) -> None:
    if fn is None:
        return
    ctx.acc.triggers.append(Trigger(kind, fn, node, detail, source_id, source, carrier, filters or {}, on_failure))


def api_routes(ctx: Context) -> None:
    for api in (a for a in ctx.acc.apis if a.id.doc == ctx.doc.id):
        for route in api.routes:
            _add(ctx, TriggerKind.API_ROUTE, route.function_id, route.node, f"{api.kind.value} API {route.key}",
                 api.id, carrier=api.id)


def function_urls(ctx: Context) -> None:
    for url in (u for u in ctx.acc.function_urls if u.id.doc == ctx.doc.id):
        _add(ctx, TriggerKind.FUNCTION_URL, url.function_id, url.at("AuthType"),
             f"function URL (AuthType {render(url.auth_type)})", url.id, carrier=url.id)


_MAPPED = {"AWS::SQS::Queue": TriggerKind.SQS, "AWS::Kinesis::Stream": TriggerKind.KINESIS,
           "AWS::DynamoDB::Table": TriggerKind.DYNAMODB_STREAM, "AWS::MSK::Cluster": TriggerKind.KAFKA,
           "AWS::AmazonMQ::Broker": TriggerKind.MQ, "AWS::DocDB::DBCluster": TriggerKind.DOCUMENTDB}
_MAPPED_SERVICES = {"sqs": TriggerKind.SQS, "kinesis": TriggerKind.KINESIS, "dynamodb": TriggerKind.DYNAMODB_STREAM,
                    "kafka": TriggerKind.KAFKA, "mq": TriggerKind.MQ, "rds": TriggerKind.DOCUMENTDB}


def event_source_mappings(ctx: Context) -> None:
    for res in ctx.of_type("AWS::Lambda::EventSourceMapping"):
        source = res.prop("EventSourceArn")
        source_id = ctx.target(source, *_MAPPED)
        kind = TriggerKind.OTHER
        if source_id is not None:
            kind = _MAPPED[ctx.res[source_id.logical_id].type]
        else:
            service = render(source).split(":")[2] if render(source).count(":") >= 2 else ""
            kind = _MAPPED_SERVICES.get(service, TriggerKind.KAFKA if res.prop("SelfManagedEventSource") else kind)
        _add(ctx, kind, ctx.function_target(res.prop("FunctionName")), res.node,
             f"{kind.value} {render(source) if source is not None else ''}".strip(), source_id, source, res.id,
             on_failure=res.prop("DestinationConfig", "OnFailure", "Destination"))


def bucket_notifications(ctx: Context) -> None:
    for res in ctx.of_type("AWS::S3::Bucket"):
        for i, cfg in enumerate(items(res.prop("NotificationConfiguration", "LambdaConfigurations"))):
            if not isinstance(cfg, dict):
                continue
            fn = ctx.function_target(cfg.get("Function"))
            rules = cfg.get("Filter")
            filters: dict[str, Value] = {}
            s3key = rules.get("S3Key") if isinstance(rules, dict) else None
            if isinstance(s3key, dict):
                for rule in items(s3key.get("Rules")):
                    if isinstance(rule, dict):
                        filters[(text(rule.get("Name")) or "").lower()] = rule.get("Value")
            node = _s3_event_node(ctx, res, fn, i)
            _add(ctx, TriggerKind.S3, fn, node, f"s3 {render(cfg.get('Event'))} on {res.logical_id}", res.id,
                 carrier=res.id, filters=filters)


def _s3_event_node(ctx: Context, bucket: Resource, fn: ResourceId | None, index: int) -> NodePath:
    """SAM writes S3 notifications from the function's event; point there when the bucket does not."""
    own = bucket.at("NotificationConfiguration", "LambdaConfigurations", index)
    if ctx.doc.marks.has(own.path) or fn is None:
        return own
    fn_res = ctx.res.get(fn.logical_id)
    if fn_res is None:
        return own
    for name, event in ctx.sam_events(fn_res):
        if isinstance(event, dict) and event.get("Type") == "S3":
            bucket_ref = (event.get("Properties") or {}).get("Bucket")
            if bucket_ref == {"Ref": bucket.logical_id}:
                return NodePath(ctx.doc.id, ("Resources", fn_res.origin.logical_id, "Properties", "Events", name))
    return own


def sns_subscriptions(ctx: Context) -> None:
    for res in ctx.of_type("AWS::SNS::Subscription"):
        if (res.text("Protocol") or "").lower() != "lambda":
            continue
        topic = ctx.target(res.prop("TopicArn"), "AWS::SNS::Topic")
        _add(ctx, TriggerKind.SNS, ctx.function_target(res.prop("Endpoint")), res.node,
             f"sns {topic.logical_id if topic else render(res.prop('TopicArn'))}", topic, res.prop("TopicArn"),
             res.id, filters={"policy": res.prop("FilterPolicy")} if res.prop("FilterPolicy") is not None else None)
    for res in ctx.of_type("AWS::SNS::Topic"):
        for i, sub in enumerate(items(res.prop("Subscription"))):
            if isinstance(sub, dict) and (text(sub.get("Protocol")) or "").lower() == "lambda":
                _add(ctx, TriggerKind.SNS, ctx.function_target(sub.get("Endpoint")), res.at("Subscription", i),
                     f"sns {res.logical_id}", res.id, carrier=res.id)


def rules_schedules_pipes(ctx: Context) -> None:
    for res in ctx.of_type("AWS::Events::Rule"):
        schedule = res.prop("ScheduleExpression")
        kind = TriggerKind.SCHEDULE if schedule is not None else TriggerKind.EVENTBRIDGE
        bus = ctx.target(res.prop("EventBusName"), "AWS::Events::EventBus")
        bus_name = render(res.prop("EventBusName") or "default")
        detail = render(schedule) if schedule is not None else f"events on {bus_name} bus"
        for i, target in enumerate(items(res.prop("Targets"))):
            if isinstance(target, dict):
                _add(ctx, kind, ctx.function_target(target.get("Arn")), res.at("Targets", i), detail,
                     bus or res.id, res.prop("EventPattern"), res.id)
    for res in ctx.of_type("AWS::Scheduler::Schedule"):
        _add(ctx, TriggerKind.SCHEDULE, ctx.function_target(res.prop("Target", "Arn")), res.node,
             render(res.prop("ScheduleExpression")), res.id, carrier=res.id)
    for res in ctx.of_type("AWS::Pipes::Pipe"):
        _add(ctx, TriggerKind.OTHER, ctx.function_target(res.prop("Target")), res.node,
             f"pipe from {render(res.prop('Source'))}", None, res.prop("Source"), res.id)


def cognito(ctx: Context) -> None:
    for pool in (p for p in ctx.acc.user_pools if p.id.doc == ctx.doc.id):
        for name, value in pool.lambda_triggers.items():
            fn = ctx.function_target(value.get("LambdaArn") if isinstance(value, dict) else value)
            _add(ctx, TriggerKind.COGNITO, fn, pool.at("LambdaConfig", name), f"cognito {name}", pool.id,
                 carrier=pool.id)


def iot_rules(ctx: Context) -> None:
    for res in ctx.of_type("AWS::IoT::TopicRule"):
        for i, action in enumerate(items(res.prop("TopicRulePayload", "Actions"))):
            if isinstance(action, dict) and isinstance(action.get("Lambda"), dict):
                lam = action["Lambda"]
                assert isinstance(lam, dict)
                _add(ctx, TriggerKind.IOT, ctx.function_target(lam.get("FunctionArn")),
                     res.at("TopicRulePayload", "Actions", i), f"iot {render(res.prop('TopicRulePayload', 'Sql'))}",
                     res.id, carrier=res.id)


def log_subscriptions(ctx: Context) -> None:
    for res in ctx.of_type("AWS::Logs::SubscriptionFilter"):
        _add(ctx, TriggerKind.LOGS, ctx.function_target(res.prop("DestinationArn")), res.node,
             f"logs {render(res.prop('LogGroupName'))}", None, res.prop("LogGroupName"), res.id)


def custom_resources(ctx: Context) -> None:
    for res in ctx.res.values():
        if res.type.startswith("Custom::") or res.type == "AWS::CloudFormation::CustomResource":
            _add(ctx, TriggerKind.CUSTOM_RESOURCE, ctx.function_target(res.prop("ServiceToken")),
                 res.at("ServiceToken"), f"custom resource {res.logical_id}", res.id, carrier=res.id)


def object_lambda(ctx: Context) -> None:
    for res in ctx.of_type("AWS::S3ObjectLambda::AccessPoint"):
        for i, conf in enumerate(items(res.prop("ObjectLambdaConfiguration", "TransformationConfigurations"))):
            content = conf.get("ContentTransformation") if isinstance(conf, dict) else None
            lam = content.get("AwsLambda") if isinstance(content, dict) else None
            if isinstance(lam, dict):
                _add(ctx, TriggerKind.S3_OBJECT_LAMBDA, ctx.function_target(lam.get("FunctionArn")),
                     res.at("ObjectLambdaConfiguration", "TransformationConfigurations", i),
                     f"object lambda access point {res.logical_id}", res.id, carrier=res.id)


def load_balancer_targets(ctx: Context) -> None:
    for res in ctx.of_type("AWS::ElasticLoadBalancingV2::TargetGroup"):
        if (res.text("TargetType") or "").lower() != "lambda":
            continue
        for i, target in enumerate(items(res.prop("Targets"))):
            if isinstance(target, dict):
                _add(ctx, TriggerKind.ALB, ctx.function_target(target.get("Id")), res.at("Targets", i),
                     "load balancer target", res.id, carrier=res.id)
