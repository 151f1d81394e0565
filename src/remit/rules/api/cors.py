"""RMT-API-002."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Api
from remit.rules._cors import REFERENCES, judge
from remit.rules.base import Hit, rule


@rule(
    id="RMT-API-002",
    title="API CORS allows any origin with credentials or state-changing methods",
    severity=Severity.MEDIUM,
    category=Category.INSECURE_CONFIGURATION,
    responsibility=Responsibility.CONFIGURATION,
    scope=Api,
    impact=("Any web site a user of the API visits can make the user's browser call it and read the answers: with "
            "credentials allowed it acts as the signed-in user, reading and changing their data; with state-changing "
            "methods it changes data through an API that trusts the visitor's cookies or network."),
    remediation="Allow the exact origins of your web front end (SAM Cors.AllowOrigin, HttpApi or "
                "AWS::ApiGatewayV2::Api CorsConfiguration.AllowOrigins); never combine '*' with credentials; allow "
                "only the methods the browser needs. An API called only by servers needs no CORS at all.",
    references=(*REFERENCES, "https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html",
                "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html"),
    cwe=("CWE-942",),
)
def check(api: Api, an: Analysis) -> Iterator[Hit]:
    """An API's CORS configuration lets every web origin call it from a browser with credentials (high) or with
    state-changing methods (medium).

    CORS tells browsers which other web sites' scripts may call the API and read its answers. With any origin
    and credentials, every page a signed-in user visits can act as that user (read their data, change it) using
    the cookies or HTTP authentication the browser attaches; with any origin and ``POST``/``PUT``/``PATCH``/
    ``DELETE`` (or ``*``), any page can make a visitor's browser change data and read the result. That matters
    most for APIs that browsers authenticate automatically (cookies, a corporate network, client
    certificates).

    For REST APIs remit reads the preflight responses (the mock ``OPTIONS`` integrations written by SAM's
    ``Cors`` property, ``Globals.Api.Cors`` included, or by the author's OpenAPI: ``Access-Control-Allow-
    Origin``, ``-Methods``, ``-Credentials``); for HTTP APIs the ``CorsConfiguration`` (SAM ``HttpApi`` or
    ``AWS::ApiGatewayV2::Api``) or the ``x-amazon-apigateway-cors`` OpenAPI extension. ``*``, ``null`` and
    scheme-wide wildcards count as any origin. Not reported: explicit origin lists, and any origin with
    read-only methods only (``GET``, ``HEAD``, ``OPTIONS``) and no credentials. Under ``Fn::If`` any branch
    counts.
    """
    cors = api.cors
    if cors is None:
        return
    problem = judge(cors.allow_origins, cors.allow_credentials, cors.allow_methods)
    if problem is None:
        return
    yield Hit(cors.node, f"The CORS configuration of {api.display} {problem.explanation}.", api.resource,
              evidence=problem.evidence, severity=problem.severity)
