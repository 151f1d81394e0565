"""RMT-TRUST-005."""

from __future__ import annotations

from collections.abc import Iterator

from remit.findings import Category, Responsibility, Severity
from remit.iam.reach import TrustEdge, pins
from remit.model.application import Application
from remit.model.entities import Role
from remit.model.policy import ConditionClause
from remit.model.values import text
from remit.rules.base import Hit, rule
from remit.rules.trust._trust import edges, hit

GITHUB = "token.actions.githubusercontent.com"
COGNITO = "cognito-identity.amazonaws.com"
_WILD = ("*", "?")


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
def check(role: Role, app: Application) -> Iterator[Hit]:
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
    for edge in edges(role, app, "federated"):
        value = edge.value.lower()
        if "saml-provider/" in value:
            continue
        clauses = edge.statements[0].conditions
        if GITHUB in value:
            problem = _github(clauses)
            if problem:
                yield hit(role, edge, f"Role {role.display} trusts GitHub Actions OIDC tokens {problem}: any "
                                      "workflow in any GitHub repository can assume it.", Severity.CRITICAL)
        elif value == COGNITO:
            if not _pinned(clauses, COGNITO + ":aud"):
                yield hit(role, edge, f"Role {role.display} trusts {COGNITO} with no "
                                      f"StringEquals {COGNITO}:aud condition naming your identity pool: an "
                                      "identity of any identity pool, in any account, can assume it.",
                          Severity.CRITICAL)
        elif not edge.restricted:
            yield hit(role, edge, _generic(role, edge))


def _pinned(clauses: tuple[ConditionClause, ...], key: str) -> list[ConditionClause]:
    return [c for c in clauses if c.key_lower == key and pins(c)]


def _github(clauses: tuple[ConditionClause, ...]) -> str:
    """Why the GitHub trust is open ("" when a sub condition pins the repository owner)."""
    subs = _pinned(clauses, GITHUB + ":sub")
    if not subs:
        return f"with no {GITHUB}:sub condition naming a repository (aud alone restricts nothing)"
    open_ = [v for c in subs for v in (text(x) for x in c.values) if v is not None and _owner_wild(v)]
    if open_:
        return f"whose {GITHUB}:sub condition ({', '.join(open_)}) has a wildcard repository owner"
    return ""


def _owner_wild(sub: str) -> bool:
    """``repo:*``, ``*``, ``repo:*/app:*``: the owner part is a wildcard."""
    if not sub.startswith("repo:"):
        return all(c in "*?" for c in sub.split(":", 1)[0])
    owner = sub[len("repo:"):].split("/", 1)[0]
    return not owner or any(w in owner for w in _WILD)


def _generic(role: Role, edge: TrustEdge) -> str:
    return (f"Role {role.display} trusts the web identity provider {edge.value} with no pinned :aud or :sub "
            "condition: every identity the provider issues tokens to can assume it.")
