"""RMT-COGNITO-004."""

from __future__ import annotations

from collections.abc import Iterator

from remit.findings import Category, Responsibility, Severity
from remit.model.application import Application
from remit.model.entities import IdentityPool
from remit.model.values import render, truthy
from remit.rules.base import Hit, rule


@rule(
    id="RMT-COGNITO-004",
    title="Identity pool hands AWS credentials to unauthenticated users",
    severity=Severity.MEDIUM,
    category=Category.BROKEN_AUTHENTICATION,
    responsibility=Responsibility.CONFIGURATION,
    scope=IdentityPool,
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
def check(pool: IdentityPool, app: Application) -> Iterator[Hit]:
    """A Cognito identity pool allows unauthenticated identities: anyone who knows the pool id (it ships in the
    web or mobile app) can call ``GetId`` and ``GetCredentialsForIdentity`` and receive temporary AWS
    credentials for the pool's unauthenticated role — no sign-in needed.

    Whatever that role can do, the whole internet can do, directly against AWS APIs, bypassing the
    application. The finding names the role when the template attaches one; judging what it can do is the IAM
    engine's job.
    """
    if truthy(pool.allow_unauthenticated) is not True and not (
        pool.allow_unauthenticated is not None and "true" in render(pool.allow_unauthenticated).lower()
    ):
        return
    role = app.role(pool.unauthenticated_role)
    if role is not None:
        detail = f"credentials for role {role.display}"
    elif pool.unauthenticated_role_value is not None:
        detail = f"credentials for role {render(pool.unauthenticated_role_value)}"
    else:
        detail = "credentials for whatever unauthenticated role is attached"
    yield Hit(pool.at("AllowUnauthenticatedIdentities"),
              f"Identity pool {pool.display} gives anyone, without signing in, AWS {detail}.", pool.resource,
              evidence="unauthenticated identities")
