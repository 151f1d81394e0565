"""RMT-SECRET-001."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Function
from remit.model.values import Unknown
from remit.rules.base import Hit, rule
from remit.rules.secrets._common import REFERENCES, REMEDIATION, describe, find, severity, types_in


@rule(
    id="RMT-SECRET-001",
    title="Secret in a function's environment variables",
    severity=Severity.HIGH,
    category=Category.SECRETS,
    responsibility=Responsibility.CONFIGURATION,
    scope=Function,
    impact=("Anyone who can read the function's configuration (`lambda:GetFunctionConfiguration`, a read-only "
            "auditor role, the console) or the template (the repository, CI logs, CloudFormation) gets the "
            "credential, as does any code running in the function."),
    remediation=REMEDIATION,
    references=(*REFERENCES, "https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html"),
    cwe=("CWE-798", "CWE-312"),
)
def check(fn: Function, an: Analysis) -> Iterator[Hit]:
    """An environment variable of a function holds a secret in clear text: a key, token, password or private
    key written into the template (SAM ``Globals.Function.Environment`` included).

    Environment variables are configuration, not secret storage: anyone who can read the function's
    configuration (``lambda:GetFunction``, ``lambda:GetFunctionConfiguration``, a read-only auditor role, the
    console) sees the value, as does anyone with the template: source control, CI logs, CloudFormation's
    stored template and every copy of the repository. Code that runs in the function (a compromised dependency
    included) reads every variable from its process environment, and crash reports often dump them.

    Detection combines the value's format (AWS access key ids, private keys, GitHub/GitLab/Slack/Stripe/Google
    and other tokens, JWTs, passwords in URLs) and the variable's name (``DB_PASSWORD``, ``API_KEY``...)
    holding a real-looking literal (see :mod:`remit.secretscan`). Not reported: dynamic references
    (``{{resolve:secretsmanager:...}}``, ``{{resolve:ssm-secure:...}}``), references to parameters (a
    ``NoEcho`` parameter keeps the value out of the template) or resources, ARNs, SSM paths, names that
    describe a secret (``SECRET_ARN``, ``TOKEN_TTL``), values that name one (``orders-db-credentials``) and
    obvious placeholders. A string built with ``Fn::Sub`` is checked by format only. A Serverless Framework
    variable named like a secret and set from the deploying machine (``DB_PASSWORD: ${env:DB_PASSWORD}``) is
    reported too: remit cannot see the value, but the design puts it in clear text in the configuration.
    A secret another resource of the template makes is reported too when its value is copied in: an access key's
    ``SecretAccessKey``, a Cognito app client's ``ClientSecret``, Terraform's ``random_password.result``,
    ``tls_private_key.private_key_pem``, an API key's ``value``. Each branch of an ``Fn::If`` is checked. AWS
    credentials and private keys are critical, other secrets high. The report names the variable and shows only a
    masked form of the value.
    """
    for name, value in fn.environment.items():
        match = find(name, value, types_in(an, fn.resource.id.doc))
        if match is None:
            continue
        readers = "the function's configuration" if isinstance(value, Unknown) else \
            "the function's configuration or the template"
        node = fn.at("Environment", "Variables", name)
        # one finding per place the variable is written (a provider-wide variable of a Serverless service, a SAM
        # Globals entry), naming every function that gets it; the key holds no value, not even hashed
        yield Hit(node,
                  f"Environment variable {name} holds {describe(match)} in clear text: anyone who can read {readers} "
                  "has it.",
                  fn.resource, evidence=name, severity=severity(match), shared=f"{an.app.locate(node).path}|{name}")
