"""RMT-SECRET-002."""

from __future__ import annotations

from collections.abc import Iterator

from remit.findings import Category, Responsibility, Severity
from remit.model.application import Application
from remit.model.entities import Api
from remit.model.values import present_options, render
from remit.rules.base import Hit, rule
from remit.rules.secrets._common import REFERENCES, REMEDIATION, describe, severity
from remit.secretscan import classify


@rule(
    id="RMT-SECRET-002",
    title="Secret in API stage variables",
    severity=Severity.HIGH,
    category=Category.SECRETS,
    responsibility=Responsibility.CONFIGURATION,
    scope=Api,
    remediation=REMEDIATION,
    references=(*REFERENCES, "https://docs.aws.amazon.com/apigateway/latest/developerguide/stage-variables.html"),
    cwe=("CWE-798", "CWE-312"),
)
def check(api: Api, app: Application) -> Iterator[Hit]:
    """A stage variable of an API Gateway stage holds a secret in clear text.

    Stage variables are plain configuration: ``apigateway:GET`` on the stage returns them, they appear in the
    console and in the template's history, and they are passed to integrations and authorizers in the request
    context. A token or password placed there to call a backend is readable by everyone with read access to
    API Gateway, which is usually far more people than should hold that credential.

    Detection is the same as for environment variables (format of the value, secret-like names with a real-
    looking literal; references and placeholders are not secrets).
    """
    for stage in api.stages:
        for name, value in stage.variables.items():
            for option in present_options(value):
                match = classify(name, option) if isinstance(option, str) else None
                if match is None:
                    continue
                yield Hit(stage.variables_node.child(name),
                          f"Stage variable {name} of {api.display} (stage {render(stage.name)}) holds "
                          f"{describe(match)} in clear text: anyone who can read the API's configuration has it.",
                          api.resource, evidence=f"{render(stage.name)}/{name}", severity=severity(match))
                break
