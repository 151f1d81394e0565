"""RMT-TRUST-004."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Role
from remit.rules.base import Hit, rule
from remit.rules.trust._trust import edges, hit

#: Service principals whose service roles AWS documents with aws:SourceAccount / aws:SourceArn (or, for
#: Cognito user pools' SMS role, sts:ExternalId) in the trust policy to prevent the cross-service confused
#: deputy. Execution roles of Lambda, EC2, ECS tasks and the like are absent on purpose: the service assumes
#: them only for your own function, instance or task.
SOURCE_CONDITION_SERVICES: dict[str, str] = {
    "states.amazonaws.com": "Step Functions state machine",
    "scheduler.amazonaws.com": "EventBridge Scheduler schedule",
    "appsync.amazonaws.com": "AppSync data source",
    "codebuild.amazonaws.com": "CodeBuild project",
    "config.amazonaws.com": "AWS Config recorder",
    "personalize.amazonaws.com": "Amazon Personalize",
    "bedrock.amazonaws.com": "Amazon Bedrock agent or knowledge base",
    "transfer.amazonaws.com": "Transfer Family server",
    "datasync.amazonaws.com": "DataSync task",
    "cognito-idp.amazonaws.com": "Cognito user pool (SMS role)",
}


@rule(
    id="RMT-TRUST-004",
    title="Service role trust has no source condition against the confused deputy",
    severity=Severity.MEDIUM,
    category=Category.INSECURE_CONFIGURATION,
    responsibility=Responsibility.IAM,
    scope=Role,
    impact=("A resource of another account that learns the role's ARN could have the service assume your role on its "
            "behalf and act with the role's permissions in your account (the cross-service confused deputy)."),
    remediation="Add Condition: {StringEquals: {aws:SourceAccount: !Ref AWS::AccountId}} (and, where you can, "
                "ArnLike aws:SourceArn naming your state machine, schedule or project) to the trust statement; "
                "for a Cognito SMS role, StringEquals sts:ExternalId as the user pool's SmsConfiguration sets it.",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html#cross-service-confused-deputy-prevention",
        "https://docs.aws.amazon.com/step-functions/latest/dg/cross-service-confused-deputy-prevention.html",
        "https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html",
    ),
    cwe=("CWE-441",),
)
def check(role: Role, an: Analysis) -> Iterator[Hit]:
    """A role trusts an AWS service that acts for many customers (Step Functions, EventBridge Scheduler,
    AppSync, CodeBuild, AWS Config, Personalize, Bedrock, Transfer Family, DataSync, Cognito user pools' SMS
    sender) without ``aws:SourceAccount`` or ``aws:SourceArn`` (``sts:ExternalId`` for Cognito) in the trust
    statement. AWS documents these conditions for these services' roles: without them, a resource of *another*
    account that learns the role's ARN could have the service assume your role on its behalf (the
    cross-service confused deputy).

    Execution roles that the service assumes only for your own function, instance or task (Lambda, EC2, ECS
    tasks, API Gateway's logging role...) are not reported: a trust without source conditions is the norm for
    them. A source condition with only a wildcard value does not count.
    """
    for edge in edges(role, an, "service"):
        service = edge.value.lower()
        what = SOURCE_CONDITION_SERVICES.get(service)
        if what is None or edge.restricted:
            continue
        keys = "sts:ExternalId or aws:SourceAccount" if service.startswith("cognito-idp") else \
            "aws:SourceAccount or aws:SourceArn"
        generated = ("; SAM generates this role without one: define the role yourself and set Role"
                     if role.resource.origin.generated else "")
        yield hit(role, edge, f"Role {role.display} trusts {edge.value} without an {keys} condition: "
                              f"another account's {what} could be made to assume this role (cross-service "
                              f"confused deputy){generated}.")
