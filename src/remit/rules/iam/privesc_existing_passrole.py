"""RMT-IAM-023."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.rules.base import Hit, rule
from remit.rules.iam._privesc import hits


@rule(
    id="RMT-IAM-023",
    title="Principal can take over an existing resource's role",
    severity=Severity.HIGH,
    category=Category.PRIVILEGE_ESCALATION,
    responsibility=Responsibility.IAM,
    scope=None,
    impact=("Code running as the principal can rewrite the code or configuration of a resource that runs with "
            "another role (another function, a stack, a build project) and make it act with that role's permissions."),
    remediation=("Scope update actions to the resources the principal owns; never grant lambda:UpdateFunctionCode or "
                 "cloudformation:UpdateStack on *."),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html",
        "https://pathfinding.cloud",
    ),
    cwe=("CWE-269",),
)
def check(an: Analysis, _: Analysis) -> Iterator[Hit]:
    """A role, user or group can change the code or configuration of an existing resource that runs with its own
    role (lambda:UpdateFunctionCode, lambda:UpdateFunctionConfiguration, cloudformation:UpdateStack,
    codebuild:StartBuild, ssm:SendCommand...). For Lambda it counts when a modelled function other than the
    principal's own is in scope, or the resource is every function.

    The method catalog is remit's data file ``privesc.json`` (category "existing-passrole"). Actions count on the
    principal's combined effective permissions: actions split over several policies count together; an explicit
    Deny or a permissions boundary removes them; a conditional grant is reported with its conditions. The
    finding names the principal, the method, each statement granting an action (as the flow) and what is gained.
    """
    yield from hits(an, "existing-passrole")
