"""RMT-TRUST-003."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Role
from remit.rules.base import Hit, rule
from remit.rules.trust._trust import OWN_ACCOUNTS, edges, hit


@rule(
    id="RMT-TRUST-003",
    title="Role trusts a foreign account without an external id",
    severity=Severity.HIGH,
    category=Category.BROKEN_AUTHENTICATION,
    responsibility=Responsibility.IAM,
    scope=Role,
    impact=("Another customer of the trusted vendor can give the vendor your role's ARN and have it act in your "
            "account for them (the confused deputy); trusting the whole account also lets in every principal its "
            "administrators allow."),
    remediation="Add Condition: {StringEquals: {sts:ExternalId: <the id the third party gave you>}} to the "
                "statement, or pin the caller with aws:PrincipalOrgID (your organization) or aws:PrincipalArn "
                "(the one role that should assume it).",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
        "CSA SAS-2 Broken Authentication",
    ),
    cwe=("CWE-441",),
)
def check(role: Role, an: Analysis) -> Iterator[Hit]:
    """A trust policy lets a named foreign account (an account id other than the template's own) assume the
    role with no ``sts:ExternalId`` condition, and nothing else pins the caller (``aws:PrincipalOrgID``,
    ``aws:PrincipalArn``, ``aws:PrincipalAccount``).

    This is the confused deputy: a third party (a monitoring or billing vendor) serves many customers from
    one account. Without an external id unique to you, another customer of that vendor can give it *your*
    role's ARN and have the vendor act in your account on their behalf. Trusting the whole account
    (``arn:aws:iam::<id>:root`` or the bare id) also lets every principal there that its administrators allow
    assume the role. A specific role or user of the foreign account is reported at medium severity.
    """
    for edge in edges(role, an, "account", "principal"):
        if edge.restricted or edge.account is None or edge.account in OWN_ACCOUNTS:
            continue
        whole = edge.kind == "account"
        who = f"account {edge.account}" if whole else f"{edge.value} (account {edge.account})"
        yield hit(role, edge, f"Role {role.display} trusts {who} with no sts:ExternalId condition (nor "
                              "aws:PrincipalOrgID / aws:PrincipalArn): "
                              + ("every principal of that account its administrators allow" if whole
                                 else "that principal") + " can assume it, including on behalf of another "
                              "customer of that party (confused deputy).",
                  severity=None if whole else Severity.MEDIUM)
