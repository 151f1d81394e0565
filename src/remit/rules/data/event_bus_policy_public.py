"""RMT-EVENTS-001."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import EventBus
from remit.model.values import render
from remit.rules.base import Hit, rule
from remit.rules.data._resource_policy import Grade, open_statement_hits

_ROUTE = Grade(
    severity=Severity.CRITICAL,
    effects=(
        ("events:PutRule", "create rules on the bus"),
        ("events:PutTargets", "route its events to targets of their own"),
        ("events:DeleteRule", "delete your rules"),
        ("events:RemoveTargets", "cut your rules off their targets"),
        ("events:DisableRule", "disable your rules"),
    ),
)
_PUT = Grade(severity=Severity.HIGH,
             gain="put events that your rules deliver to functions, queues and state machines as if they were yours")


@rule(
    id="RMT-EVENTS-001",
    title="Event bus policy lets anyone in",
    severity=Severity.HIGH,
    category=Category.PUBLIC_EXPOSURE,
    responsibility=Responsibility.CONFIGURATION,
    scope=EventBus,
    impact=("Any AWS account can put events on the bus that every rule target processes as if your own services had "
            "sent them; with rule or target management, they also route your events to themselves."),
    remediation="Grant events:PutEvents to the accounts that send events (their account ids or roles), or keep "
                "Principal \"*\" only with aws:PrincipalOrgID set to your organization. In an "
                "AWS::Events::EventBusPolicy, set Principal to an account id, or Condition to "
                "aws:PrincipalOrgID, instead of \"*\".",
    references=(
        "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-perms.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-events-eventbuspolicy.html",
        "CSA SAS-1 Function Event-Data Injection, SAS-3 Insecure Serverless Deployment Configuration",
    ),
    cwe=("CWE-284",),
)
def check(bus: EventBus, an: Analysis) -> Iterator[Hit]:
    """An EventBridge event bus policy (the bus's ``Policy``, or an ``AWS::Events::EventBusPolicy`` in either
    its ``Statement`` form or its older ``Principal``/``Action``/``Condition`` form) lets anyone in with no
    condition that narrows who may call.

    ``events:PutEvents`` for anyone lets any AWS account send events that match your rules: every rule target
    (functions, queues, state machines) then processes attacker-written ``detail`` as if your own services had
    emitted it, and a forged ``source`` is enough to impersonate one of them. Rule and target management for
    anyone lets an attacker route your events to themselves; those statements are critical, put-events only
    high.

    Not reported: account principals, ``Principal: "*"`` narrowed by ``aws:PrincipalOrgID`` (the form the
    older ``Condition`` property writes) or another restricting key with concrete values, and statements
    cancelled by a ``Deny`` for everyone outside such a condition. ``...IfExists`` conditions do not narrow.
    """
    name = None
    if bus.resource.type == "AWS::Events::EventBusPolicy":  # a policy resource the model keeps as its own view
        name = f"the {render(bus.name)} bus (EventBusPolicy {bus.display})"
    yield from open_statement_hits(bus, "event bus", (_ROUTE,), _PUT, name=name)
