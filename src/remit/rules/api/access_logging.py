"""RMT-API-003."""

from __future__ import annotations

from collections.abc import Iterator

from remit.findings import Category, Responsibility, Severity
from remit.model.application import Application
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
    remediation="Send the stage's access logs to a CloudWatch Logs group with a retention period: "
                "AccessLogSetting (REST; SAM Api or Globals.Api) or AccessLogSettings (HTTP/WebSocket; SAM HttpApi), "
                "with a format that records the caller (sourceIp, identity, requestId, status).",
    references=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html",
        "CSA SAS-5 Inadequate Function Monitoring and Logging",
    ),
    cwe=("CWE-778",),
)
def check(api: Api, app: Application) -> Iterator[Hit]:
    """An API Gateway stage writes no access log, so there is no record of who called which route, from
    where, and with what result.

    Function logs show what a handler did, not who asked: without access logs an incident on a public API
    cannot be traced back to a caller, abuse (credential stuffing, enumeration, denial of wallet) goes unseen,
    and nothing feeds detection. Severity is low because it does not open anything by itself; it decides
    whether an attack is noticed. Each stage is judged; SAM's implicit API inherits ``Globals.Api``.
    """
    for stage in api.stages:
        if stage.access_log_destination is not None:
            continue
        yield Hit(stage.log_node,
                  f"Stage {render(stage.name)} of {api.display} keeps no access log: calls to it leave no record "
                  "of the caller.", api.resource, evidence=render(stage.name))
