"""RMT-COGNITO-001."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import UserPool
from remit.model.values import Value, number, present_options, texts, truthy
from remit.rules.base import Hit, rule

FLOOR = 8  # NIST SP 800-63B: no password, even one of several factors, may be shorter
SINGLE_FACTOR_LENGTH = 12  # from here on, length carries the strength even without composition rules
RECOMMENDED_LENGTH = 15  # NIST SP 800-63B-4's minimum for a password that is the only factor
CLASSES = ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols")


def _weakest_length(value: Value | None) -> float | None:
    """The smallest minimum length over the ``Fn::If`` branches; None when one is not a known number."""
    if value is None:
        return float(FLOOR)  # CloudFormation expects MinimumLength with a PasswordPolicy; Cognito's default
    found = [number(v) for v in present_options(value)]
    if not found or any(f is None for f in found):
        return None
    return min(f for f in found if f is not None)


def _required_classes(policy: Mapping[str, Value]) -> int:
    """Character classes required in every branch (an omitted Require* in a written policy is false)."""
    count = 0
    for name in CLASSES:
        written = policy.get(name)
        if written is not None and all(truthy(v) is True for v in present_options(written)):
            count += 1
    return count


def _mfa_always_on(pool: UserPool) -> bool:
    return pool.mfa is not None and all((t or "").upper() == "ON" for t in texts(pool.mfa))


@rule(
    id="RMT-COGNITO-001",
    title="User pool accepts weak passwords",
    severity=Severity.MEDIUM,
    category=Category.BROKEN_AUTHENTICATION,
    responsibility=Responsibility.CONFIGURATION,
    scope=UserPool,
    impact=("Short passwords fall to password spraying and to credential stuffing with leaked lists; where the "
            "password is the only factor, one guessed password is a taken-over account."),
    remediation="Set Policies.PasswordPolicy.MinimumLength to 15 or more for passwords that are the only factor "
                "(NIST SP 800-63B-4), and at least 8 where MFA is required; turn on MFA; and turn on Cognito's "
                "threat protection (compromised-credential checks) so breached passwords are refused.",
    references=(
        "https://docs.aws.amazon.com/cognito/latest/developerguide/managing-users-passwords.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-cognito-userpool-passwordpolicy.html",
        "https://csrc.nist.gov/pubs/sp/800/63/b/4/final",
        "CSA SAS-2 Broken Authentication",
    ),
    cwe=("CWE-521",),
)
def check(pool: UserPool, an: Analysis) -> Iterator[Hit]:
    """A Cognito user pool's password policy lets users choose passwords an attacker can guess, spray or crack
    from a leaked list.

    Thresholds, after NIST SP 800-63B (rev. 4): length is what resists guessing, composition rules add little,
    a password that is the only factor needs at least 15 characters and one used with a second factor at least
    8. remit reports, to keep noise low:

    * a minimum length under 8, always (the floor for any password);
    * when MFA is not required (``MfaConfiguration`` ``OFF``, ``OPTIONAL`` or absent, so the password may be
      the only factor): a minimum length under 12 with fewer than three of the four character classes
      required. Between 12 and 14 characters, or with composition compensating for a length of 8 to 11, the
      pool is not reported, although 15 remains the recommendation.

    A pool without ``Policies.PasswordPolicy`` gets Cognito's default (8 characters with lowercase,
    uppercase, numbers and symbols all required), which is not reported. In a written policy an omitted
    ``Require*`` is false (Cognito requires only what the policy says). Values under ``Fn::If`` are judged on
    their weakest branch; a length remit cannot know (a parameter without default) is not reported.
    """
    policy = pool.password_policy
    if policy is None:
        return
    length = _weakest_length(policy.get("MinimumLength"))
    if length is None:
        return
    classes = _required_classes(policy)
    reason = None
    if length < FLOOR:
        reason = f"a minimum length of {int(length)}, under the floor of {FLOOR} for any password"
    elif length < SINGLE_FACTOR_LENGTH and classes < 3 and not _mfa_always_on(pool):
        reason = (f"a minimum length of {int(length)} with {classes} of 4 character classes required, and MFA "
                  f"not required, so the password may be the only factor ({RECOMMENDED_LENGTH} characters are "
                  "recommended for that)")
    if reason is None:
        return
    if len(present_options(policy.get("MinimumLength"))) > 1:
        reason += " (in one branch of a condition)"
    yield Hit(pool.at("Policies", "PasswordPolicy", "MinimumLength"),
              f"User pool {pool.display} accepts passwords with {reason}: short or simple passwords fall to "
              "guessing, password spraying and breached-password lists.", pool.resource, evidence="password policy")
