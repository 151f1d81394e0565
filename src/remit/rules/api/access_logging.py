"""RMT-API-003."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Api
from remit.model.values import render
from remit.rules.base import Hit, rule


@rule(
    id="RMT-API-003",
    title="API stage without access logging",
    severity=Severity.LOW,
    category=Category.LOGGING_MONITORING,
    responsibility=Responsibility.CONFIGURATION,
    scope=Api,
    impact=("An attacker probing, scraping or brute-forcing the API leaves no record of their address, identity or "
            "requests: the attack goes unnoticed, and afterwards nobody can tell who did what or which data was "
            "touched."),
    remediation="Send the stage's access logs to a CloudWatch Logs group with a retention period: AccessLogSetting "
                "on a REST stage (SAM: on the Api or in Globals.Api), AccessLogSettings on an HTTP or WebSocket "
                "stage (SAM: on the HttpApi or in Globals.HttpApi), with a format that records the caller "
                "($context.identity.sourceIp, the authorizer's principal, $context.requestId, the status).",
    references=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html",
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging.html",
        "CSA SAS-5 Inadequate Function Monitoring and Logging",
    ),
    cwe=("CWE-778",),
)
def check(api: Api, an: Analysis) -> Iterator[Hit]:
    """An API Gateway stage writes no access log, so there is no record of who called which route, from where,
    and with what result.

    Function logs show what a handler did, not who asked: without access logs an incident on an API cannot be
    traced back to a caller's address or identity, abuse (credential stuffing, enumeration, scraping, denial
    of wallet) goes unseen, and nothing feeds detection or an investigation.

    Severity: low, because a missing log opens nothing by itself; it decides whether an attack is noticed and
    understood. It is raised to medium for a stage of an internet-facing API with at least one route that
    needs no authentication (the RMT-API-001 condition, ``OPTIONS`` aside): there the access log is the only
    record of anonymous callers. Each stage is judged on its own; SAM's ``Globals.Api.AccessLogSetting``
    (``Globals.HttpApi.AccessLogSettings``) applies to the implicit API and to every ``Serverless::Api``
    (``HttpApi``) that does not override it. APIs without a deployed stage in the template are not reported.
    """
    anonymous = not api.private and any(r.auth.is_open and r.method != "OPTIONS" for r in api.routes)
    for stage in api.stages:
        if stage.access_log_destination is not None:
            continue
        name = render(stage.name)
        if anonymous:
            yield Hit(stage.log_node,
                      f"Stage {name} of {api.display} keeps no access log although some of its routes need no "
                      "authentication: anonymous callers leave no record of who they are or what they tried.",
                      api.resource, evidence=name, severity=Severity.MEDIUM)
        else:
            yield Hit(stage.log_node,
                      f"Stage {name} of {api.display} keeps no access log: calls to it leave no record of the "
                      "caller.", api.resource, evidence=name)
