"""RMT-API-002."""

from __future__ import annotations

from collections.abc import Iterator

from remit.findings import Category, Responsibility, Severity
from remit.model.application import Application
from remit.model.entities import Api
from remit.rules._cors import REFERENCES, judge
from remit.rules.base import Hit, rule


@rule(
    id="RMT-API-002",
    title="API CORS allows any origin with credentials or unsafe methods",
    severity=Severity.MEDIUM,
    category=Category.INSECURE_CONFIGURATION,
    responsibility=Responsibility.CONFIGURATION,
    scope=Api,
    remediation="Allow the exact origins of your front end (SAM Cors AllowOrigin, HTTP API CorsConfiguration "
                "AllowOrigins); never combine '*' with credentials; allow only the methods browsers need.",
    references=(*REFERENCES, "https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html"),
    cwe=("CWE-942",),
)
def check(api: Api, app: Application) -> Iterator[Hit]:
    """An API's CORS configuration lets every web origin call it from a browser with credentials (high) or
    with state-changing methods (medium).

    For REST APIs remit reads the preflight responses (the mock ``OPTIONS`` integrations that SAM's ``Cors``
    property or the author's OpenAPI writes: ``Access-Control-Allow-Origin``, ``-Methods``,
    ``-Credentials``); for HTTP APIs the ``CorsConfiguration`` (or the ``x-amazon-apigateway-cors``
    extension). Any web page a user visits can then drive the API from the user's browser; with credentials it
    acts as the signed-in user and reads the answers. Explicit origin lists are not reported.
    """
    cors = api.cors
    if cors is None:
        return
    problem = judge(cors.allow_origins, cors.allow_credentials, cors.allow_methods)
    if problem is None:
        return
    yield Hit(cors.node, f"The CORS configuration of {api.display} {problem.explanation}.", api.resource,
              evidence=problem.evidence, severity=problem.severity)
