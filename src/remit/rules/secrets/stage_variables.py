"""RMT-SECRET-002."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Api
from remit.model.values import render
from remit.rules.base import Hit, rule
from remit.rules.secrets._common import REFERENCES, REMEDIATION, describe, find, severity, types_in


@rule(
    id="RMT-SECRET-002",
    title="Secret in API stage variables",
    severity=Severity.HIGH,
    category=Category.SECRETS,
    responsibility=Responsibility.CONFIGURATION,
    scope=Api,
    impact=("Anyone with read access to API Gateway, to the template or to its history gets the credential, and "
            "integrations may write it into logs: far more people than should hold it."),
    remediation=REMEDIATION + " A backend credential that API Gateway itself must send belongs in an integration "
                              "backed by Secrets Manager or in the function that calls the backend.",
    references=(*REFERENCES, "https://docs.aws.amazon.com/apigateway/latest/developerguide/stage-variables.html"),
    cwe=("CWE-798", "CWE-312"),
)
def check(api: Api, an: Analysis) -> Iterator[Hit]:
    """A stage variable of an API Gateway stage holds a secret in clear text.

    Stage variables are plain configuration: ``apigateway:GET`` on the stage returns them, they appear in the
    console, in exported stages and in the template's history, and API Gateway passes them to integrations
    and authorizers in the request context (and into their logs). A token or password placed there to call a
    backend is readable by everyone with read access to API Gateway, usually far more people than should
    hold that credential.

    Read from ``Variables`` of a REST stage (SAM ``Api``, ``AWS::ApiGateway::Stage``, a Deployment's
    ``StageDescription``) and ``StageVariables`` of an HTTP or WebSocket stage. Detection is the same as for
    environment variables (format of the value, secret-like names with a real-looking literal; references,
    names of secrets and placeholders are not secrets; a secret attribute of another resource copied in, such
    as an access key's secret or a generated password, is one). The report shows only a masked form of the value.
    """
    for stage in api.stages:
        for name, value in stage.variables.items():
            match = find(name, value, types_in(an, api.resource.id.doc))
            if match is None:
                continue
            yield Hit(stage.variables_node.child(name),
                      f"Stage variable {name} of {api.display} (stage {render(stage.name)}) holds {describe(match)} "
                      "in clear text: anyone who can read the API's configuration has it.",
                      api.resource, evidence=f"{render(stage.name)}/{name}", severity=severity(match))
