"""RMT-SM-001."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Secret
from remit.rules.base import Hit, rule
from remit.rules.data._resource_policy import Grade, open_statement_hits

_VALUE = Grade(
    severity=Severity.CRITICAL,
    effects=(
        ("secretsmanager:GetSecretValue", "read the secret's value"),
        ("secretsmanager:BatchGetSecretValue", "read the secret's value"),
        ("secretsmanager:PutSecretValue", "replace the secret's value"),
        ("secretsmanager:UpdateSecret", "replace the secret's value"),
        ("secretsmanager:DeleteSecret", "delete the secret"),
        ("secretsmanager:PutResourcePolicy", "take over its policy"),
        ("secretsmanager:DeleteResourcePolicy", "take over its policy"),
        ("secretsmanager:RotateSecret", "rotate it to a value of their choosing"),
        ("secretsmanager:UpdateSecretVersionStage", "promote an old value back to current"),
    ),
)
_META = Grade(severity=Severity.HIGH, gain="inspect the secret's metadata and versions")


@rule(
    id="RMT-SM-001",
    title="Secret resource policy lets anyone in",
    severity=Severity.CRITICAL,
    category=Category.PUBLIC_EXPOSURE,
    responsibility=Responsibility.CONFIGURATION,
    scope=Secret,
    impact=("Any AWS account can call the granted actions on the secret from its own account: rewrite its policy or "
            "delete it, and, when the secret is encrypted with a customer managed key whose policy lets them use it, "
            "read the credential or swap in one they control (secrets under aws/secretsmanager cannot be read from "
            "another account)."),
    remediation="Grant the secret to the roles that read it (their ARNs, or your account with an "
                "aws:PrincipalArn condition), never Principal \"*\" alone. Enable BlockPublicPolicy on the "
                "AWS::SecretsManager::ResourcePolicy so Secrets Manager refuses a policy that opens the secret.",
    references=(
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_resource-policies.html",
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/determine-acccess_examine-iam-policies.html",
        "CSA SAS-3 Insecure Serverless Deployment Configuration, SAS-7 Insecure Application Secrets Storage",
    ),
    cwe=("CWE-284", "CWE-522"),
)
def check(secret: Secret, an: Analysis) -> Iterator[Hit]:
    """A Secrets Manager resource policy (``AWS::SecretsManager::ResourcePolicy``) allows anyone
    (``Principal: "*"``, ``AWS: "*"`` or ``NotPrincipal``) with no condition that narrows who may call.

    ``secretsmanager:GetSecretValue`` for anyone hands every AWS account the credential the secret protects (a
    database password, an API key): critical, as is writing the value (an attacker swaps in credentials they
    control) or changing the policy. Statements that only expose metadata (``DescribeSecret``,
    ``ListSecretVersionIds``) are high. Callers also need ``kms:Decrypt`` on the secret's key when it is a
    customer managed key with a narrow key policy; remit reports the secret's policy for what it allows.

    Not reported: statements naming principals, ``Principal: "*"`` narrowed by a restricting key with concrete
    values (``aws:PrincipalOrgID``, ``aws:PrincipalAccount``, ``aws:SourceVpce``...), and statements cancelled by
    a ``Deny`` for everyone outside such a condition. ``...IfExists`` conditions do not narrow.
    """
    yield from open_statement_hits(secret, "resource", (_VALUE,), _META, name=f"secret {secret.display}")
