"""RMT-IAM-021."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.rules.base import Hit, rule
from remit.rules.iam._privesc import hits


@rule(
    id="RMT-IAM-021",
    title="Principal can take over another principal",
    severity=Severity.HIGH,
    category=Category.PRIVILEGE_ESCALATION,
    responsibility=Responsibility.IAM,
    scope=None,
    impact=("Code running as the principal can become another user or role: mint access keys or a console password "
            "for a user, rewrite a role's trust policy to let itself in, or assume a stronger role, and keep that "
            "access after the original hole is fixed."),
    remediation=("Scope iam:CreateAccessKey, iam:*LoginProfile, iam:UpdateAssumeRolePolicy and sts:AssumeRole to the "
                 "principal's own identities, or remove them."),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html",
        "https://pathfinding.cloud",
    ),
    cwe=("CWE-269",),
)
def check(an: Analysis, _: Analysis) -> Iterator[Hit]:
    """A role, user or group can act as another user or role: create access keys or console passwords for users,
    rewrite a role's trust policy, lift a permissions boundary, or assume a role.

    The method catalog is remit's data file ``privesc.json`` (category "principal-access"). Actions count on the
    principal's combined effective permissions: actions split over several policies count together; an explicit
    Deny or a permissions boundary removes them; a conditional grant is reported with its conditions. The
    finding names the principal, the method, each statement granting an action (as the flow) and what is gained.
    """
    yield from hits(an, "principal-access")
