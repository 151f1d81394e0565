"""RMT-API-004."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Api, ApiKind
from remit.model.values import present_options, render, truthy
from remit.rules.base import Hit, rule


@rule(
    id="RMT-API-004",
    title="REST API stage without X-Ray tracing",
    severity=Severity.LOW,
    category=Category.LOGGING_MONITORING,
    responsibility=Responsibility.CONFIGURATION,
    scope=Api,
    impact=("Without traces the path of an attacker's request through the API, the functions and the data stores "
            "cannot be reconstructed, so an injection or a denial-of-wallet burst is harder to spot and to scope "
            "afterwards."),
    remediation="Set TracingEnabled: true on the stage (SAM: on the Api or in Globals.Api; AWS::ApiGateway::Stage "
                "TracingEnabled, or StageDescription.TracingEnabled on a Deployment), and Tracing: Active on the "
                "functions behind it.",
    references=(
        "https://docs.aws.amazon.com/xray/latest/devguide/xray-services-apigateway.html",
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-xray.html",
        "CSA SAS-5 Inadequate Function Monitoring and Logging",
    ),
)
def check(api: Api, an: Analysis) -> Iterator[Hit]:
    """A REST API stage does not send traces to AWS X-Ray, so a request cannot be followed from the API through
    the functions and services it reaches.

    During an investigation traces show which requests reached which function and data store, and how long
    each hop took: an injection attempt, a denial-of-wallet burst or a slow downstream call shows up as an
    unusual path. Severity is low: tracing is a detective aid, not a control.

    Only REST APIs are judged: HTTP and WebSocket APIs do not support X-Ray tracing (trace their functions
    instead). A stage whose ``TracingEnabled`` is chosen by ``Fn::If`` is reported when a branch turns it off.
    """
    if api.kind is not ApiKind.REST:
        return
    for stage in api.stages:
        values = present_options(stage.tracing) if stage.tracing is not None else ()
        if values and all(truthy(v) is True for v in values):
            continue
        carrier = an.app.resource(stage.resource_id)
        if carrier is None:
            node = stage.node
        elif carrier.type == "AWS::ApiGateway::Deployment":
            node = carrier.at("StageDescription", "TracingEnabled")
        else:
            node = carrier.at("TracingEnabled")
        state = "off in one branch of a condition" if values and any(truthy(v) is True for v in values) else "off"
        yield Hit(node, f"Stage {render(stage.name)} of {api.display} has X-Ray tracing {state}: requests cannot be "
                        "followed through the functions and services behind it.",
                  api.resource, evidence=render(stage.name))
