"""RMT-COGNITO-002."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import UserPool
from remit.model.values import texts
from remit.rules.base import Hit, rule


@rule(
    id="RMT-COGNITO-002",
    title="User pool without multi-factor authentication",
    severity=Severity.MEDIUM,
    category=Category.BROKEN_AUTHENTICATION,
    responsibility=Responsibility.CONFIGURATION,
    scope=UserPool,
    impact=("A password that was phished, reused from another site's breach or guessed is enough to take over the "
            "account: nothing else stands between the attacker and the user's data."),
    remediation="Set MfaConfiguration to ON (or OPTIONAL and require it for privileged users in your app), with "
                "EnabledMfas listing SOFTWARE_TOKEN_MFA (authenticator apps) and, if needed, SMS_MFA.",
    references=(
        "https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-mfa.html",
        "CSA SAS-2 Broken Authentication",
    ),
    cwe=("CWE-308",),
)
def check(pool: UserPool, an: Analysis) -> Iterator[Hit]:
    """A Cognito user pool has multi-factor authentication turned off (``MfaConfiguration: OFF``, which is
    also the default when the property is absent), so a stolen, phished or guessed password is enough to take
    over an account.

    ``OPTIONAL`` is not reported: users can enrol, and the application can insist for sensitive accounts.
    Under ``Fn::If``, a branch with ``OFF`` is reported.
    """
    written = pool.mfa
    values = [(t or "").upper() for t in texts(written)] if written is not None else ["OFF"]
    if "OFF" not in values:
        return
    where = pool.at("MfaConfiguration") if written is not None else pool.node
    if written is None:
        state = "not configured (Cognito's default is OFF)"
    else:
        state = "turned off" if all(v == "OFF" for v in values) else "turned off in one branch of a condition"
    yield Hit(where, f"User pool {pool.display} has multi-factor authentication {state}: a password alone takes "
                     "over an account.", pool.resource, evidence="mfa")
