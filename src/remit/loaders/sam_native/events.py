"""The event sources of an ``AWS::Serverless::Function``, expanded as aws-sam-translator expands them.

:func:`event_resources` turns one entry of a function's ``Events`` into the CloudFormation resources the
translator generates for it, in its order, and makes the translator's side effects (policies added to the
execution role, an S3 bucket's notification configuration). Whatever it does not reproduce exactly it refuses
(:class:`~remit.loaders.sam_native.common.Refused`), and the translator expands the template instead.

Done natively: SQS, Kinesis, DynamoDB (``events_pull``); MSK, SelfManagedKafka, MQ, DocumentDB
(``events_brokers``); S3, Schedule, EventBridgeRule, CloudWatchEvent, SNS (``events_push``); CloudWatchLogs,
IoTRule, AlexaSkill, Cognito, ScheduleV2 (``events_other``); Api and HttpApi (``rest_api``, ``http_api``,
which also write the route into the API's OpenAPI document). Every other type is refused.

What the caller (the function core) keeps in mind:

* the translator expands a function's events sorted by their ``Properties.Path`` when they have one (API
  events) and by their name otherwise (a stable sort of the events as written); call this in that order;
* the returned resources carry no ``Metadata``: the function's is added by the caller as the translator does;
* an S3 event rewrites the bucket in ``fn.resources`` in place (the translator's ``to_dict`` form of the
  edited bucket, at the bucket's position), a Cognito event the user pool; neither is among the returned
  resources, as they keep their own ``Metadata``;
* a generated logical id already in ``fn.resources`` or in the template is refused (the translator rejects the
  latter and silently overwrites the former): so add each event's resources to ``fn.resources`` before
  expanding the next;
* a refusal may come after an earlier event of the template has been expanded: the caller then discards the
  native expansion of the whole template;
* the translator's partition is assumed ``aws`` (remit translates in us-east-1), and its rewriting of
  derived references (``MyFunction.Alias``, layer ids) across the whole template is the caller's: an event
  value that it could rewrite is refused here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from remit.loaders.sam_native.common import FunctionContext, Refused
from remit.loaders.sam_native.events_brokers import BROKER_TYPES
from remit.loaders.sam_native.events_other import alexa_skill, cloudwatch_logs, cognito, iot_rule, schedule_v2
from remit.loaders.sam_native.events_pull import PULL_TYPES, PullType, pull_resources
from remit.loaders.sam_native.events_push import PUSH_TYPES, Expander
from remit.loaders.sam_native.http_api import http_api_event
from remit.loaders.sam_native.rest_api import api_event

_PULL: dict[str, PullType] = {**PULL_TYPES, **BROKER_TYPES}
_EXPANDERS: dict[str, Expander] = {
    **PUSH_TYPES,
    "CloudWatchLogs": cloudwatch_logs,
    "IoTRule": iot_rule,
    "AlexaSkill": alexa_skill,
    "Cognito": cognito,
    "ScheduleV2": schedule_v2,
    "Api": api_event,
    "HttpApi": http_api_event,
}


def event_resources(fn: FunctionContext, name: str, event: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The resources the translator generates for the event ``name`` of the function ``fn``, each as ``(logical
    id, resource)``; raises :class:`Refused` when the expansion might differ from the translator's."""
    if not isinstance(event, Mapping):
        raise Refused("event is not a mapping")
    kind = event.get("Type")
    if not isinstance(kind, str):
        raise Refused("event without a Type")
    pull = _PULL.get(kind)
    if pull is not None:
        return pull_resources(kind, pull, fn, name, event)
    expand = _EXPANDERS.get(kind)
    if expand is None:
        raise Refused(f"{kind}: event type not expanded natively")
    return expand(fn, name, event)
