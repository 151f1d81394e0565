"""RMT-KMS-001."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import KmsKey
from remit.rules.base import Hit, rule
from remit.rules.data._resource_policy import Grade, open_statement_hits

_DECRYPT = Grade(
    severity=Severity.CRITICAL,
    effects=(
        ("kms:Decrypt", "decrypt data protected by the key"),
        ("kms:ReEncryptFrom", "re-encrypt its ciphertexts under a key of theirs"),
        ("kms:CreateGrant", "grant themselves lasting use of it"),
        ("kms:PutKeyPolicy", "take over its policy"),
        ("kms:ScheduleKeyDeletion", "make everything encrypted with it unreadable"),
        ("kms:DisableKey", "make everything encrypted with it unreadable"),
        ("kms:Sign", "sign as you"),
        ("kms:GenerateMac", "sign as you"),
        ("kms:ImportKeyMaterial", "replace its key material"),
        ("kms:DeleteImportedKeyMaterial", "destroy its key material"),
    ),
)
_USE = Grade(severity=Severity.HIGH, gain="use the key for their own data and inspect it")


@rule(
    id="RMT-KMS-001",
    title="Key policy lets anyone in",
    severity=Severity.CRITICAL,
    category=Category.PUBLIC_EXPOSURE,
    responsibility=Responsibility.CONFIGURATION,
    scope=KmsKey,
    impact=("Any AWS account can use the key as the policy allows: decrypt what it protects wherever they obtain the "
            "ciphertext, create grants for lasting access, or disable the key and schedule its deletion, making the "
            "data unrecoverable."),
    remediation="Give the key policy's usage statements to the roles that use the key, or keep AWS \"*\" only "
                "with kms:CallerAccount (and kms:ViaService) or aws:PrincipalOrgID conditions. The usual "
                "administrative statement grants the account root (arn:aws:iam::<account>:root) and lets IAM "
                "policies decide: keep that form instead of \"*\".",
    references=(
        "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html",
        "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html",
        "CSA SAS-3 Insecure Serverless Deployment Configuration, SAS-7 Insecure Application Secrets Storage",
    ),
    cwe=("CWE-284",),
)
def check(key: KmsKey, an: Analysis) -> Iterator[Hit]:
    """A KMS key policy statement allows anyone (``AWS: "*"``, ``Principal: "*"`` or ``NotPrincipal``) with
    no condition that narrows who may call.

    A key policy is the key's only gate: unlike other resources, an account's IAM policies give access to a
    key only when the key policy says so. A statement for anyone therefore lets every AWS account decrypt what
    the key protects wherever they can read the ciphertext (exported objects, messages, secrets, snapshots),
    create grants for lasting access, sign with an asymmetric key, or disable and schedule the key's deletion
    (ransom by destroying the key). Those are critical; statements that only let others encrypt with or
    describe the key are high.

    The normal default statement grants the account root principal (``arn:aws:iam::<account>:root``): it is
    not "anyone" and is not reported. Neither is ``AWS: "*"`` narrowed by ``kms:CallerAccount``,
    ``aws:PrincipalOrgID``, ``aws:PrincipalAccount`` or ``aws:PrincipalArn`` with concrete values.
    ``kms:ViaService`` alone does not narrow who: any account can ask that service to use the key.
    """
    yield from open_statement_hits(key, "key", (_DECRYPT,), _USE)
