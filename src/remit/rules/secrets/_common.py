"""Shared detection and wording for the clear-text secret rules (RMT-SECRET-001..003)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from remit.analysis import Analysis
from remit.findings import Severity
from remit.model.resources import ResourceId
from remit.model.values import Concat, Symbol, SymbolKind, Unknown, Value, present_options
from remit.secretscan import SecretMatch, classify, kind_of_name, scan_value, secret_like_name

if TYPE_CHECKING:
    pass

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


#: (resource type, attribute) -> what the attribute holds: a secret made by another resource of the template
_SECRET_ATTRIBUTES: dict[tuple[str, str], tuple[str, bool]] = {
    ("AWS::IAM::AccessKey", "SecretAccessKey"): ("IAM user's secret access key", True),
    ("AWS::IAM::AccessKey", "Secret"): ("IAM user's secret access key", True),
    ("AWS::IAM::AccessKey", "SesSmtpPasswordV4"): ("SES SMTP password", True),
    ("AWS::Cognito::UserPoolClient", "ClientSecret"): ("Cognito app client secret", False),
    ("AWS::ApiGateway::ApiKey", "Value"): ("API key's value", False),
    ("AWS::IAM::UserLoginProfile", "Password"): ("IAM user's console password", True),
    # Terraform resources remit does not translate keep their own type in the logical id
    ("random_password", "Result"): ("generated password", False),
    ("random_password", "BcryptHash"): ("generated password's hash", False),
    ("tls_private_key", "PrivateKeyPem"): ("private key", True),
    ("tls_private_key", "PrivateKeyOpenssh"): ("private key", True),
    ("tls_private_key", "PrivateKeyPemPkcs8"): ("private key", True),
    ("aws_api_gateway_api_key", "Value"): ("API key's value", False),
    ("aws_cognito_user_pool_client", "ClientSecret"): ("Cognito app client secret", False),
    ("aws_iam_user_login_profile", "Password"): ("IAM user's console password", True),
}
TypeOf = Callable[[str], str | None]


def terraform_type(logical_id: str) -> str:
    """``module.db.random_password.master[0]`` -> ``random_password``."""
    parts = re.sub(r"\[[^\]]*\]", "", logical_id).split(".")
    return parts[-2] if len(parts) >= 2 else ""


def attribute_secret(symbol: Symbol, type_of: TypeOf) -> SecretMatch | None:
    """A ``GetAtt`` of an attribute that holds another resource's secret (an access key's secret, a generated
    password, an app client secret): the value lands in clear text wherever it is copied."""
    if symbol.kind is not SymbolKind.RESOURCE or not symbol.attribute:
        return None
    rtype = type_of(symbol.name) or terraform_type(symbol.name)
    found = _SECRET_ATTRIBUTES.get((rtype, symbol.attribute)) or \
        _SECRET_ATTRIBUTES.get((terraform_type(symbol.name), symbol.attribute))
    if found is None:
        return None
    kind, critical = found
    return SecretMatch(kind, critical, f"the value of {symbol.name}.{symbol.attribute}")


def types_in(an: Analysis, doc: str) -> TypeOf:
    """The resource type of a logical id in one document, for :func:`attribute_secret`."""
    def type_of(logical_id: str) -> str | None:
        found = an.app.resource(ResourceId(doc, logical_id))
        return found.type if found is not None else None
    return type_of


def find(name: str, value: Value, type_of: TypeOf | None = None) -> SecretMatch | None:
    """A clear-text secret in a template value held under ``name``, in any ``Fn::If`` branch.

    A literal string is classified by format and by name. A string built with ``Fn::Sub``/``Fn::Join``
    (:class:`~remit.model.values.Concat`) is checked only by format, on its literal text with ``${...}`` in
    place of the references: a name-only match there would mostly be a reference being assembled
    (``Bearer ${Token}``). References (``Ref``/``GetAtt`` of a parameter, a ``NoEcho`` parameter included, or
    of a resource), imports and numbers are not values remit can see, and are not secrets in the template,
    except a resource attribute that holds a secret another resource made (``type_of`` tells resource types).
    """
    for option in present_options(value):
        if isinstance(option, str):
            found = classify(name, option)
        elif isinstance(option, Concat):
            found = scan_value(str(option))
            for part in option.parts:
                if found is None and type_of is not None and isinstance(part, Symbol):
                    found = attribute_secret(part, type_of)
        elif isinstance(option, Symbol) and type_of is not None:
            found = attribute_secret(option, type_of)
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
