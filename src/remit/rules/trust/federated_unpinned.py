"""RMT-TRUST-005."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.iam.reach import COGNITO, GITHUB, TrustEdge, web_identity_gap
from remit.model.entities import Role
from remit.rules.base import Hit, rule
from remit.rules.trust._trust import edges, hit


@rule(
    id="RMT-TRUST-005",
    title="Web identity trust does not pin the identity",
    severity=Severity.HIGH,
    category=Category.BROKEN_AUTHENTICATION,
    responsibility=Responsibility.IAM,
    scope=Role,
    impact=("Tokens the attacker can get for themselves (from a workflow in any GitHub repository, an identity of "
            "any identity pool, any identity of the provider) are enough to assume the role and use its permissions."),
    remediation="Pin the identity in the trust statement: for GitHub Actions, StringEquals (or StringLike) "
                "token.actions.githubusercontent.com:sub = repo:<owner>/<repo>:ref:refs/heads/main (or an "
                "environment) and :aud = sts.amazonaws.com; for Cognito identity pools, StringEquals "
                "cognito-identity.amazonaws.com:aud = <your identity pool id> plus ForAnyValue:StringLike :amr; "
                "for other OIDC providers, the provider's :aud and :sub.",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html",
        "https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/"
        "configuring-openid-connect-in-amazon-web-services",
        "https://docs.aws.amazon.com/cognito/latest/developerguide/iam-roles.html",
        "CSA SAS-2 Broken Authentication",
    ),
    cwe=("CWE-287",),
)
def check(role: Role, an: Analysis) -> Iterator[Hit]:
    """A role trusts a web identity provider (``sts:AssumeRoleWithWebIdentity``) without pinning *whose*
    identity:

    * GitHub Actions (``token.actions.githubusercontent.com``) with no ``sub`` condition, or one whose
      owner is a wildcard (``*``, ``repo:*``): every workflow of every repository on GitHub can obtain a token
      for the ``sts.amazonaws.com`` audience and assume the role — ``aud`` alone pins nothing (critical).
    * Cognito identity pools (``cognito-identity.amazonaws.com``) with no ``aud`` condition: an identity of
      *any* identity pool, in any account, can assume the role (critical).
    * Any other OIDC provider with no pinned claim (``<provider>:aud`` / ``:sub``): every identity the
      provider issues tokens to.

    A clause pins only with a positive operator (not ``...IfExists``) and values that are not only wildcards.
    SAML providers are not judged here.
    """
    for edge in edges(role, an, "federated"):
        value = edge.value.lower()
        if "saml-provider/" in value:
            continue
        clauses = edge.statements[0].conditions
        if GITHUB in value:
            problem = web_identity_gap(edge.value, clauses)
            if problem:
                yield hit(role, edge, f"Role {role.display} trusts GitHub Actions OIDC tokens {problem}: any "
                                      "workflow in any GitHub repository can assume it.", Severity.CRITICAL)
        elif value == COGNITO:
            if web_identity_gap(edge.value, clauses):
                yield hit(role, edge, f"Role {role.display} trusts {COGNITO} with no "
                                      f"StringEquals {COGNITO}:aud condition naming your identity pool: an "
                                      "identity of any identity pool, in any account, can assume it.",
                          Severity.CRITICAL)
        elif not edge.restricted:
            yield hit(role, edge, _generic(role, edge))


def _generic(role: Role, edge: TrustEdge) -> str:
    return (f"Role {role.display} trusts the web identity provider {edge.value} with no pinned :aud or :sub "
            "condition: every identity the provider issues tokens to can assume it.")
