"""RMT-COGNITO-004."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import IdentityPool
from remit.model.values import present_options, render, truthy
from remit.rules.base import Hit, rule


@rule(
    id="RMT-COGNITO-004",
    title="Identity pool hands AWS credentials to unauthenticated users",
    severity=Severity.MEDIUM,
    category=Category.BROKEN_AUTHENTICATION,
    responsibility=Responsibility.CONFIGURATION,
    scope=IdentityPool,
    impact=("Anyone who has the pool id (it ships in the app) gets temporary AWS credentials without signing in and "
            "calls AWS APIs directly with the unauthenticated role, past every check the application makes."),
    remediation="Set AllowUnauthenticatedIdentities: false unless guests truly need AWS access; if they do, give "
                "the unauthenticated role only what public visitors may do (a specific read on public data), "
                "nothing that writes, lists or reads private data.",
    references=(
        "https://docs.aws.amazon.com/cognito/latest/developerguide/identity-pools.html",
        "https://docs.aws.amazon.com/cognito/latest/developerguide/iam-roles.html",
        "CSA SAS-2 Broken Authentication",
    ),
    cwe=("CWE-306",),
)
def check(pool: IdentityPool, an: Analysis) -> Iterator[Hit]:
    """A Cognito identity pool allows unauthenticated identities: anyone who knows the pool id (it ships in the
    web or mobile app) can call ``GetId`` and ``GetCredentialsForIdentity`` and receive temporary AWS
    credentials for the pool's unauthenticated role — no sign-in needed.

    Whatever that role can do, the whole internet can do, directly against AWS APIs, bypassing the
    application. The finding names the unauthenticated role when the template attaches one
    (``AWS::Cognito::IdentityPoolRoleAttachment``); judging what that role can do is the IAM rules' job. An
    ``Fn::If`` with ``true`` in one branch is reported.
    """
    if pool.allow_unauthenticated is None:
        return
    allowed = [truthy(v) for v in present_options(pool.allow_unauthenticated)]
    if True not in allowed:
        return
    conditional = " in one branch of a condition" if len(allowed) > 1 and not all(allowed) else ""
    role = an.app.role(pool.unauthenticated_role)
    if role is not None:
        detail = f"credentials for role {role.display}"
    elif pool.unauthenticated_role_value is not None:
        detail = f"credentials for role {render(pool.unauthenticated_role_value)}"
    else:
        detail = "credentials for the unauthenticated role attached outside this template, if any"
    yield Hit(pool.at("AllowUnauthenticatedIdentities"),
              f"Identity pool {pool.display} allows unauthenticated identities{conditional}: anyone who knows the "
              f"pool id, without signing in, gets AWS {detail}.", pool.resource,
              evidence="unauthenticated identities")
