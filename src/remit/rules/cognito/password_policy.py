"""RMT-COGNITO-001."""

from __future__ import annotations

from collections.abc import Iterator

from remit.findings import Category, Responsibility, Severity
from remit.model.application import Application
from remit.model.entities import UserPool
from remit.model.values import number, truthy
from remit.rules.base import Hit, rule

MIN_LENGTH = 8  # below this, length alone makes passwords guessable (NIST SP 800-63B's floor)
STRONG_LENGTH = 12  # from here on, length carries the strength and character classes matter little
CLASSES = ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols")


@rule(
    id="RMT-COGNITO-001",
    title="User pool accepts weak passwords",
    severity=Severity.MEDIUM,
    category=Category.BROKEN_AUTHENTICATION,
    responsibility=Responsibility.CONFIGURATION,
    scope=UserPool,
    remediation="Set Policies.PasswordPolicy.MinimumLength to 12 or more (or at least 8 with all four character "
                "classes required), turn on MFA, and consider Cognito's compromised-credential protection.",
    references=(
        "https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-policies.html",
        "https://pages.nist.gov/800-63-3/sp800-63b.html",
        "CSA SAS-2 Broken Authentication",
    ),
    cwe=("CWE-521",),
)
def check(pool: UserPool, app: Application) -> Iterator[Hit]:
    """A Cognito user pool's password policy lets users choose passwords an attacker can guess or spray.

    Weak means: a minimum length under 8 characters, or under 12 characters with fewer than three of the four
    character classes required. Length is what resists guessing (NIST SP 800-63B sets 8 as the floor and
    favours long passphrases over composition rules); below 12, composition is the only thing left. A pool
    without a written policy gets Cognito's default (8 characters, all four classes), which is not reported.
    Values under ``Fn::If`` are judged on their weakest branch.
    """
    policy = pool.password_policy
    if policy is None:
        return
    raw_length = policy.get("MinimumLength")
    length = number(raw_length) if raw_length is not None else 8.0
    classes = sum(1 for c in CLASSES if truthy(policy.get(c)) is not False)
    if length is None:
        return
    weak_reason = None
    if length < MIN_LENGTH:
        weak_reason = f"a minimum length of {int(length)}"
    elif length < STRONG_LENGTH and classes < 3:
        weak_reason = f"a minimum length of {int(length)} with only {classes} of 4 character classes required"
    if weak_reason is None:
        return
    yield Hit(pool.at("Policies", "PasswordPolicy", "MinimumLength"),
              f"User pool {pool.display} accepts passwords with {weak_reason}: short or simple passwords fall to "
              "guessing and password spraying.", pool.resource, evidence="password policy")
