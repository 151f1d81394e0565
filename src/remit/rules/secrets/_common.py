"""Shared detection and wording for the clear-text secret rules (RMT-SECRET-001..003)."""

from __future__ import annotations

import re

from remit.findings import Severity
from remit.model.values import Concat, Unknown, Value, present_options
from remit.secretscan import SecretMatch, classify, kind_of_name, scan_value, secret_like_name

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


def find(name: str, value: Value) -> SecretMatch | None:
    """A clear-text secret in a template value held under ``name``, in any ``Fn::If`` branch.

    A literal string is classified by format and by name. A string built with ``Fn::Sub``/``Fn::Join``
    (:class:`~remit.model.values.Concat`) is checked only by format, on its literal text with ``${...}`` in
    place of the references: a name-only match there would mostly be a reference being assembled
    (``Bearer ${Token}``). References (``Ref``/``GetAtt`` of a parameter, a ``NoEcho`` parameter included, or
    of a resource), imports and numbers are not values remit can see, and are not secrets in the template.
    """
    for option in present_options(value):
        if isinstance(option, str):
            found = classify(name, option)
        elif isinstance(option, Concat):
            found = scan_value(str(option))
        elif isinstance(option, Unknown):
            found = _deploy_time(name, option)
        else:
            continue
        if found is not None:
            return found
    return None


# the Serverless Framework's ${env:NAME}, read from the deploying machine (remit.loaders.serverless)
_DEPLOY_ENV = re.compile(r"^serverless variable (\$\{env:[^{}]+\}):")


def _deploy_time(name: str, value: Unknown) -> SecretMatch | None:
    """A secret-named variable whose whole value the deploying machine's environment fills in: remit cannot see
    the value, but the design puts it in clear text in the function's configuration."""
    found = _DEPLOY_ENV.match(value.reason)
    if found is None or not secret_like_name(name):
        return None
    return SecretMatch(kind_of_name(name), False, f"its value comes from {found.group(1)} when the service is "
                                                  "deployed", by_name=True)


def severity(match: SecretMatch) -> Severity:
    return Severity.CRITICAL if match.critical else Severity.HIGH


def describe(match: SecretMatch) -> str:
    article = "an" if match.kind[0].lower() in "aeiou" else "a"
    how = "" if not match.by_name else ", judged by its name"
    return f"{article} {match.kind} ({match.masked}{how})"
