"""RMT-TRUST-002."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Role
from remit.rules.base import Hit, rule
from remit.rules.trust._trust import edges, hit


@rule(
    id="RMT-TRUST-002",
    title="Role can be assumed by any AWS account under conditions any account can meet",
    severity=Severity.HIGH,
    category=Category.BROKEN_AUTHENTICATION,
    responsibility=Responsibility.IAM,
    scope=Role,
    impact=("Any AWS account can meet the conditions (the caller picks the external id, sets its own tags, uses MFA "
            "on its own users) and assume the role with all of its permissions."),
    remediation="Restrict the caller, not only the request: name the trusted account or role in Principal, or add "
                "StringEquals aws:PrincipalOrgID (or a concrete aws:PrincipalAccount / aws:PrincipalArn without a "
                "wildcard account). An external id protects a third party's role, not a role open to \"*\".",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html",
        "CSA SAS-2 Broken Authentication",
    ),
    cwe=("CWE-284",),
)
def check(role: Role, an: Analysis) -> Iterator[Hit]:
    """A trust policy statement for ``Principal: "*"`` carries conditions, but every one of them can be met by a
    principal of an outside account: ``sts:ExternalId`` (not a secret: it travels in the caller's request and
    the caller picks it), ``aws:MultiFactorAuthPresent``, ``aws:SecureTransport``, tags the caller sets, or a
    ``aws:PrincipalArn`` / ``aws:PrincipalAccount`` pattern whose account part is a wildcard
    (``arn:aws:iam::*:role/deployer``).

    The verdict comes from the same outsider question as resource policies (``an.iam.trusted_by``): a
    condition counts as restricting only when an outside account cannot meet it (``aws:PrincipalOrgID`` equal to
    your organization, a concrete account or principal ARN). The message names the conditions an outsider meets.
    """
    for edge in edges(role, an, "anyone"):
        if edge.restricted or not edge.conditions:
            continue
        yield hit(role, edge, f"Role {role.display} trusts Principal \"*\" under conditions any AWS account can "
                              f"meet ({'; '.join(edge.conditions)}): nothing pins the caller to your organization, "
                              "an account or a principal (StringEquals aws:PrincipalOrgID, a concrete "
                              "aws:PrincipalAccount or aws:PrincipalArn).")
