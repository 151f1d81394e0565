"""Messaging readers: SQS queues, SNS topics and EventBridge buses, each with its resource policy (on it, or in
policy resources of their own, merged; those naming a target outside the template kept as an external store)."""

from __future__ import annotations

from collections import defaultdict

from remit import untrusted
from remit.model.entities import EventBus, Queue, Topic
from remit.model.policy import Policy, PolicyKind, parse_document
from remit.model.readers import resource_policy
from remit.model.readers.context import Context
from remit.model.resources import Resource, ResourceId
from remit.model.values import Value, render, text

QUEUE = "AWS::SQS::Queue"
TOPIC = "AWS::SNS::Topic"
BUS = "AWS::Events::EventBus"


def queues(ctx: Context) -> None:
    policies, unlinked = resource_policy.linked(ctx, QUEUE, ("AWS::SQS::QueuePolicy", "Queues", "PolicyDocument", True),
                                                ("AWS::SQS::QueueInlinePolicy", "Queue", "PolicyDocument", False))
    for res, name, policy in unlinked:
        ctx.acc.queues.append(Queue(res, name, policy, None, external=True))
    for res in ctx.of_type(QUEUE):
        redrive = res.prop("RedrivePolicy")
        if isinstance(redrive, str):
            try:
                redrive = untrusted.json_loads(redrive)
            except ValueError:
                redrive = None
        dlq = redrive.get("deadLetterTargetArn") if isinstance(redrive, dict) else None
        ctx.acc.queues.append(
            Queue(res, res.prop("QueueName") or res.logical_id, policies.get(res.logical_id),
                  res.prop("KmsMasterKeyId"), sqs_managed_sse=res.prop("SqsManagedSseEnabled"),
                  dead_letter_target=dlq)
        )


def topics(ctx: Context) -> None:
    policies, unlinked = resource_policy.linked(ctx, TOPIC, ("AWS::SNS::TopicPolicy", "Topics", "PolicyDocument", True),
                                                ("AWS::SNS::TopicInlinePolicy", "TopicArn", "PolicyDocument", False))
    for res, name, policy in unlinked:
        ctx.acc.topics.append(Topic(res, name, policy, None, external=True))
    for res in ctx.of_type(TOPIC):
        ctx.acc.topics.append(Topic(res, res.prop("TopicName") or res.logical_id, policies.get(res.logical_id),
                                    res.prop("KmsMasterKeyId")))


def buses(ctx: Context) -> None:
    statements: dict[str, list[Resource]] = defaultdict(list)
    orphans: dict[str, list[Resource]] = defaultdict(list)  # policies of buses not in the template
    for res in ctx.of_type("AWS::Events::EventBusPolicy"):
        bus = ctx.target(res.prop("EventBusName"), BUS)
        if bus is not None:
            statements[bus.logical_id].append(res)
        else:
            orphans[render(res.prop("EventBusName") or "default")].append(res)
    for res in ctx.of_type(BUS):
        policy = resource_policy.inline(res, "Policy")
        for extra in statements.get(res.logical_id, []):
            policy = resource_policy.merge_policies(policy, _bus_policy(extra, res.id))
        ctx.acc.buses.append(EventBus(res, res.prop("Name") or res.logical_id, policy,
                                      res.prop("KmsKeyIdentifier")))
    for name, group in orphans.items():
        merged: Policy | None = None
        for res in group:
            merged = resource_policy.merge_policies(merged, _bus_policy(res, group[0].id))
        ctx.acc.buses.append(EventBus(group[0], name, merged, None))


def _bus_policy(res: Resource, bus: ResourceId) -> Policy:
    """An EventBusPolicy: either a full ``Statement`` or the older Principal/Action/Condition form."""
    statement = res.prop("Statement")
    if statement is not None:
        document = parse_document({"Statement": [statement]}, lambda *p: res.at("Statement"))
        return Policy(PolicyKind.RESOURCE, res.logical_id, document, res.at("Statement"), res.id, (bus,))
    principal = res.prop("Principal")
    synthetic: dict[str, Value] = {
        "Effect": "Allow",
        "Principal": {"AWS": principal} if principal is not None else "*",
        "Action": res.prop("Action") or "events:PutEvents",
        "Resource": "*",
    }
    condition = res.prop("Condition")
    if isinstance(condition, dict) and condition.get("Key") is not None:
        synthetic["Condition"] = {str(text(condition.get("Type")) or "StringEquals"):
                                  {str(text(condition.get("Key"))): condition.get("Value")}}
    document = parse_document({"Statement": [synthetic]}, lambda *p: res.at("Principal"))
    return Policy(PolicyKind.RESOURCE, res.logical_id, document, res.at("Principal"), res.id, (bus,))
