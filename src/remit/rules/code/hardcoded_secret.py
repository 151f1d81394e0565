"""RMT-CODE-012."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.code.facts import IssueKind, Language
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Function
from remit.rules.base import Hit, rule
from remit.rules.code._common import issue_hits, remediation

FIXES = {
    Language.PYTHON: ('Read the secret at run time from AWS Secrets Manager or an SSM SecureString '
                      'parameter (boto3 get_secret_value / get_parameter(WithDecryption=True), cached '
                      'outside the handler), grant the function only that secret, and rotate the '
                      "exposed value: it is in the repository's history and in every deployed "
                      'package.'),
    Language.JAVASCRIPT: ('Read the secret at run time from AWS Secrets Manager or an SSM '
                          'SecureString parameter (GetSecretValueCommand / GetParameterCommand with '
                          'WithDecryption, cached outside the handler), grant the function only that '
                          "secret, and rotate the exposed value: it is in the repository's history "
                          'and in every deployed package.'),
}


@rule(
    id="RMT-CODE-012",
    title="Secret written in function code",
    severity=Severity.HIGH,
    category=Category.SECRETS,
    responsibility=Responsibility.CODE,
    scope=Function,
    impact=("Anyone who can read the code (the repository and its history, any copy of the deployment package, "
            "anyone allowed `lambda:GetFunction`) gets a working credential and uses it directly, without going "
            "through the function."),
    remediation=remediation(FIXES),
    references=(
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html",
        "CSA SAS-7 Insecure Application Secrets Storage",
    ),
    cwe=("CWE-798",),
)
def check(fn: Function, an: Analysis) -> Iterator[Hit]:
    """A credential is written as a literal in code the function ships.

    remit reads every string literal of the files the handler reaches, Python and JavaScript / TypeScript
    alike: by *format* anywhere (AWS access key ids and secret keys, private key blocks, GitHub / GitLab /
    Slack / Stripe / Google / SendGrid / npm / PyPI / OpenAI / Anthropic tokens, JWTs, passwords inside URLs)
    and by *name* where the literal is held under a secret-like name (``DB_PASSWORD = "..."``,
    ``const apiKey = "..."``, ``{"token": "..."}``, a default argument, ``password == "..."``). Placeholders,
    references (ARNs, SSM paths, ``${VAR}``), names of secrets and docstrings are not reported; the report
    shows a masked form only.

    Code in a deployment package is readable by anyone with ``lambda:GetFunction`` and by everyone with the
    repository. AWS keys and private keys are critical.
    """
    yield from issue_hits(fn, an, IssueKind.SECRET, Severity.HIGH, critical=Severity.CRITICAL, fixes=FIXES)
