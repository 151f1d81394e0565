"""RMT-TRUST-001."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Role
from remit.rules.base import Hit, rule
from remit.rules.trust._trust import edges, hit


@rule(
    id="RMT-TRUST-001",
    title="Role can be assumed by any AWS principal",
    severity=Severity.CRITICAL,
    category=Category.BROKEN_AUTHENTICATION,
    responsibility=Responsibility.IAM,
    scope=Role,
    impact=("Anyone with credentials in any AWS account in the world can assume the role and use all of its "
            "permissions."),
    remediation="Name the principals that may assume the role (an account, a role ARN, a service) instead of "
                "\"*\", or keep \"*\" only with a condition outsiders cannot meet, such as StringEquals "
                "aws:PrincipalOrgID set to your organization.",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html",
        "CSA SAS-2 Broken Authentication, SAS-4 Over-Privileged Function Permissions and Roles",
    ),
    cwe=("CWE-284",),
)
def check(role: Role, an: Analysis) -> Iterator[Hit]:
    """A trust policy statement lets ``Principal: "*"`` (or ``AWS: "*"``, or everyone but a ``NotPrincipal``)
    call ``sts:AssumeRole`` with no condition at all: anyone with credentials in any AWS account in the world
    can assume the role and receive its permissions.

    The statement is judged like a resource policy's Allow for anyone (``an.iam.trusted_by``): a Deny for
    everyone that the caller cannot dodge removes it. When conditions remain that any account can satisfy
    (``sts:ExternalId``, MFA present, a ``aws:PrincipalArn`` with a wildcard account), RMT-TRUST-002 reports
    it instead; a condition that pins the caller to your organization or account keeps both quiet.
    """
    for edge in edges(role, an, "anyone"):
        if edge.restricted or edge.conditions:
            continue
        yield hit(role, edge, f"Role {role.display} trusts Principal \"*\" with no condition: any principal of any "
                              "AWS account can assume it and use its permissions (no aws:PrincipalOrgID, "
                              "aws:PrincipalAccount or aws:PrincipalArn condition restricts who).")
