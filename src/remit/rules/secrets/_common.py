"""Shared wording for the clear-text secret rules."""

from __future__ import annotations

from remit.findings import Severity
from remit.secretscan import SecretMatch

REMEDIATION = (
    "Move the value to AWS Secrets Manager or an SSM SecureString parameter and reference it: read it at run time "
    "with the SDK (and cache it), or use a dynamic reference such as {{resolve:secretsmanager:name:SecretString:key}}. "
    "Then rotate the secret: the old value is in the template's history and in every deployed copy."
)
REFERENCES = (
    "https://docs.aws.amazon.com/secretsmanager/latest/userguide/intro.html",
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references.html",
    "CSA SAS-7 Insecure Application Secrets Storage",
)


def severity(match: SecretMatch) -> Severity:
    return Severity.CRITICAL if match.critical else Severity.HIGH


def describe(match: SecretMatch) -> str:
    article = "an" if match.kind[0].lower() in "aeiou" else "a"
    return f"{article} {match.kind} ({match.masked})"
