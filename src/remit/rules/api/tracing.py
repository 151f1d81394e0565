"""RMT-API-004."""

from __future__ import annotations

from collections.abc import Iterator

from remit.findings import Category, Responsibility, Severity
from remit.model.application import Application
from remit.model.entities import Api, ApiKind
from remit.model.values import render, truthy
from remit.rules.base import Hit, rule


@rule(
    id="RMT-API-004",
    title="REST API stage without X-Ray tracing",
    severity=Severity.LOW,
    category=Category.LOGGING_MONITORING,
    responsibility=Responsibility.CONFIGURATION,
    scope=Api,
    remediation="Set TracingEnabled: true on the stage (SAM: on the Api or in Globals.Api), and Tracing: Active "
                "on the functions behind it.",
    references=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-xray.html",
        "CSA SAS-5 Inadequate Function Monitoring and Logging",
    ),
)
def check(api: Api, app: Application) -> Iterator[Hit]:
    """A REST API stage does not send traces to AWS X-Ray, so a request cannot be followed from the API
    through the functions and services it reaches.

    During an investigation traces show which requests reached which function and data store, and how long
    each hop took (a denial-of-wallet or injection attempt shows up as unusual paths). HTTP APIs do not support
    X-Ray tracing and are not reported; trace their functions instead.
    """
    if api.kind is not ApiKind.REST:
        return
    for stage in api.stages:
        if truthy(stage.tracing) is True:
            continue
        carrier = app.resource(stage.resource_id)
        node = carrier.at("TracingEnabled") if carrier is not None else stage.node
        yield Hit(node, f"Stage {render(stage.name)} of {api.display} has X-Ray tracing off.", api.resource,
                  evidence=render(stage.name))
