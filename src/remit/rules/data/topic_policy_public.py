"""RMT-SNS-001."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Topic
from remit.rules.base import Hit, rule
from remit.rules.data._resource_policy import Grade, open_statement_hits

_TAKE = Grade(
    severity=Severity.CRITICAL,
    effects=(
        ("sns:Subscribe", "subscribe an endpoint of theirs and receive every message"),
        ("sns:SetTopicAttributes", "rewrite the topic's policy and settings"),
        ("sns:AddPermission", "rewrite the topic's policy and settings"),
        ("sns:RemovePermission", "rewrite the topic's policy and settings"),
        ("sns:DeleteTopic", "delete the topic"),
        ("sns:PutDataProtectionPolicy", "rewrite the topic's policy and settings"),
    ),
)
_PUBLISH = Grade(severity=Severity.HIGH,
                 gain="publish messages that every subscriber (functions, queues) trusts as yours")


@rule(
    id="RMT-SNS-001",
    title="Topic policy lets anyone in",
    severity=Severity.HIGH,
    category=Category.PUBLIC_EXPOSURE,
    responsibility=Responsibility.CONFIGURATION,
    scope=Topic,
    impact=("Any AWS account can publish messages that every subscriber (functions, queues, HTTP endpoints, e-mail) "
            "trusts as yours; with `sns:Subscribe` they attach their own endpoint and receive every future message."),
    remediation="Grant the topic to the principals that publish or subscribe (accounts, roles, or a service "
                "principal such as events.amazonaws.com pinned with aws:SourceArn), or keep Principal \"*\" only "
                "with a condition that pins the caller (aws:SourceOwner / aws:SourceAccount for service "
                "deliveries, aws:PrincipalOrgID for your organization).",
    references=(
        "https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
        "CSA SAS-3 Insecure Serverless Deployment Configuration",
    ),
    cwe=("CWE-284",),
)
def check(topic: Topic, an: Analysis) -> Iterator[Hit]:
    """An SNS topic policy statement allows anyone (``Principal: "*"``, ``AWS: "*"`` or ``NotPrincipal``)
    with no condition that narrows who may call.

    ``sns:Publish`` for anyone lets any AWS account send messages to every subscriber of the topic: functions,
    queues, HTTP endpoints and e-mail recipients receive attacker-written content from a source they trust.
    ``sns:Subscribe`` for anyone is worse: the attacker attaches their own endpoint and receives every future
    message; attribute and permission changes give them the topic. Those are critical, publish-only statements
    high.

    Not reported: the default statement AWS writes for topics (``AWS: "*"`` narrowed by ``aws:SourceOwner``),
    statements pinned by ``aws:SourceArn``/``aws:SourceAccount``/``aws:PrincipalOrgID``, and statements cancelled
    by a ``Deny`` for everyone outside such a condition. ``...IfExists`` conditions do not narrow.
    """
    yield from open_statement_hits(topic, "topic", (_TAKE,), _PUBLISH)
