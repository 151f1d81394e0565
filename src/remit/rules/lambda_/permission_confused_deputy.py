"""RMT-LAMBDA-004."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import LambdaPermission
from remit.model.values import Value, present_options, render, text
from remit.rules.base import Hit, rule
from remit.rules.lambda_._common import always_set, short

# Services whose source resources have ARNs without an account id (arn:aws:s3:::bucket): SourceArn alone still
# matches a resource another account creates with the same name, so SourceAccount is what pins the caller.
ACCOUNTLESS_SOURCES = frozenset({"s3.amazonaws.com"})
# Alexa skills and smart-home skills are identified by the skill id the permission carries as EventSourceToken.
TOKEN_SERVICES = frozenset({"alexa-appkit.amazon.com", "alexa-connectedhome.amazon.com"})


def _is_service(principal: str) -> bool:
    return principal in TOKEN_SERVICES or principal.endswith((".amazonaws.com", ".amazonaws.com.cn"))


def _arn_account_missing(value: Value) -> bool:
    """A literal SourceArn whose account field is empty or a wildcard (``arn:aws:s3:::b``, ``arn:aws:sns:*:*:t``)."""
    for option in present_options(value):
        literal = text(option)
        if literal is None:
            continue
        parts = literal.split(":")
        if len(parts) < 6 or parts[4] in ("", "*"):
            return True
    return False


@rule(
    id="RMT-LAMBDA-004",
    title="Service permission without a source restriction (confused deputy)",
    severity=Severity.MEDIUM,
    category=Category.INSECURE_CONFIGURATION,
    responsibility=Responsibility.CONFIGURATION,
    scope=LambdaPermission,
    impact=("An attacker in any account can point their own bucket, topic, rule or API at the function and the AWS "
            "service invokes it for them: events they wrote reach the handler as if your resources had sent them, "
            "billed to you."),
    remediation="Add SourceArn with the ARN of the bucket, topic, rule, API or log group that must invoke the "
                "function, and SourceAccount with your account id (!Ref AWS::AccountId). For S3 always set "
                "SourceAccount: bucket ARNs carry no account id. For Alexa skills set EventSourceToken to the "
                "skill id.",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html",
        "CSA SAS-3 Insecure Serverless Deployment Configuration",
    ),
    cwe=("CWE-441",),
)
def check(permission: LambdaPermission, an: Analysis) -> Iterator[Hit]:
    """A permission that lets an AWS service principal (``sns.amazonaws.com``, ``s3.amazonaws.com``,
    ``events.amazonaws.com``, ``apigateway.amazonaws.com``, ``logs.amazonaws.com``...) invoke the function
    without saying *which* resource of that service may do it.

    The service acts for whoever owns the resource that triggers it. Without ``SourceArn`` or ``SourceAccount``,
    an attacker in any account can point their own topic, bucket notification, EventBridge rule or API at the
    function's ARN and the service will invoke it for them (the "confused deputy"): they feed the function
    events they wrote, run up its bill and exhaust its concurrency.

    What counts as a restriction:

    * S3: ``SourceAccount`` is required. A bucket ARN has no account id, so a ``SourceArn`` alone is satisfied by
      a bucket of the same name in another account (after yours is deleted, or before it is created).
    * A literal ``SourceArn`` whose account field is empty or ``*`` restricts nothing without ``SourceAccount``.
    * Alexa (``alexa-appkit.amazon.com``, ``alexa-connectedhome.amazon.com``): ``EventSourceToken`` (the skill
      id) also counts.
    * Other services: ``SourceArn`` or ``SourceAccount``.

    A restriction written under ``Fn::If`` with an ``AWS::NoValue`` branch does not count; a principal chosen by
    ``Fn::If`` is checked branch by branch. Principal ``*`` is RMT-LAMBDA-003; account principals are not
    reported.
    """
    arn_set = always_set(permission.source_arn)
    account_set = always_set(permission.source_account)
    if account_set:
        return
    for option in present_options(permission.principal):
        principal = text(option)
        if principal is None or principal == "*" or not _is_service(principal):
            continue
        if principal in TOKEN_SERVICES and always_set(permission.event_source_token):
            continue
        if principal in TOKEN_SERVICES and not arn_set:
            missing = "EventSourceToken (the skill id)"
        elif principal in ACCOUNTLESS_SOURCES:
            missing = "SourceAccount (a bucket ARN carries no account id, so SourceArn alone does not pin the owner)"
        elif not arn_set:
            missing = "SourceArn or SourceAccount"
        elif permission.source_arn is not None and _arn_account_missing(permission.source_arn):
            missing = (f"SourceAccount (SourceArn {render(permission.source_arn)} does not name an account)")
        else:
            continue
        who = "any Alexa skill" if principal in TOKEN_SERVICES else "a resource of that service in another account"
        fn = an.app.function(permission.function_id)
        target = fn.display if fn else render(permission.function_ref)
        yield Hit(
            permission.at("Principal"),
            f"Permission {permission.display} lets {principal} invoke {target} without {missing}: "
            f"{who} can be pointed at the function and invoke it with events the attacker controls.",
            permission.resource,
            evidence=f"{principal} {short(permission.action)}",
        )
