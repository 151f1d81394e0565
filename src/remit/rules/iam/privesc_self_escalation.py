"""RMT-IAM-020."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.rules.base import Hit, rule
from remit.rules.iam._privesc import hits


@rule(
    id="RMT-IAM-020",
    title="Principal can raise its own permissions",
    severity=Severity.HIGH,
    category=Category.PRIVILEGE_ESCALATION,
    responsibility=Responsibility.IAM,
    scope=None,
    impact=("Code running as the principal can give itself more permissions (a new policy version, an inline or "
            "attached policy, a stronger group) in one or two API calls, up to administrator."),
    remediation=("Remove IAM write actions from the principal, or scope them to specific policies and roles it must "
                 "manage and attach a permissions boundary."),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html",
        "https://pathfinding.cloud",
    ),
    cwe=("CWE-269",),
)
def check(an: Analysis, _: Analysis) -> Iterator[Hit]:
    """A role, user or group can rewrite or attach policies to itself, its groups or any role
    (iam:CreatePolicyVersion, iam:PutRolePolicy, iam:AttachRolePolicy, iam:AddUserToGroup...).

    The method catalog is remit's data file ``privesc.json`` (category "self-escalation"). Actions count on the
    principal's combined effective permissions: actions split over several policies count together; an explicit
    Deny or a permissions boundary removes them; a conditional grant is reported with its conditions. The
    finding names the principal, the method, each statement granting an action (as the flow) and what is gained.
    A policy-writing method scoped to other roles, users or groups names them ("(not its own)"); one scoped to
    principals or groups the application does not have is not reported.
    """
    yield from hits(an, "self-escalation")
