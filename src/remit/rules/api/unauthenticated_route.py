"""RMT-API-001."""

from __future__ import annotations

from collections.abc import Iterator

from remit.findings import Category, Responsibility, Severity
from remit.iam.exposure import exposures
from remit.model.application import Application
from remit.model.entities import Api, ApiKind
from remit.rules.base import Hit, rule


@rule(
    id="RMT-API-001",
    title="API route reachable without authentication",
    severity=Severity.HIGH,
    category=Category.BROKEN_AUTHENTICATION,
    responsibility=Responsibility.CONFIGURATION,
    scope=Api,
    remediation="Give the route an authorizer (Cognito user pool, JWT, Lambda authorizer) or AWS_IAM "
                "authorization — in SAM set Auth.DefaultAuthorizer on the API and only opt out per route on "
                "purpose. If the route must be public, require an API key with a usage plan to throttle it, and "
                "suppress this finding with the reason.",
    references=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-to-api.html",
        "https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-controlling-access-to-apis.html",
        "CSA SAS-2 Broken Authentication",
    ),
    cwe=("CWE-306",),
)
def check(api: Api, app: Application) -> Iterator[Hit]:
    """A route of a REST, HTTP or WebSocket API has no authorizer, no IAM authorization and no API key: anyone
    who knows the URL can call it, and the request reaches the integration (usually a function) as
    attacker-controlled event data.

    The effective authorization is read from where the author wrote it: SAM ``Auth`` (``DefaultAuthorizer``,
    per-event ``Authorizer: NONE``, ``ApiKeyRequired``), ``AWS::ApiGateway::Method`` (``AuthorizationType``,
    ``ApiKeyRequired``), ``AWS::ApiGatewayV2::Route``, or the OpenAPI body's ``security`` and security schemes.
    ``OPTIONS`` routes (CORS preflight) are not reported. A private API (endpoint type ``PRIVATE``) is not
    internet-facing and is not reported. For WebSocket APIs only ``$connect`` is judged: it is where a
    connection is authorized. A REST API whose resource policy admits callers only from given source IPs or VPC
    endpoints is reported as medium, naming the restriction.
    """
    if api.private:
        return
    restriction = None
    if api.policy is not None:
        found = exposures(api.policy.document)
        if found and all(e.restriction is not None for e in found):
            restriction = found[0].restriction
    for route in api.routes:
        if not route.auth.is_open or route.method == "OPTIONS":
            continue
        if api.kind is ApiKind.WEBSOCKET and route.method != "$connect":
            continue
        fn = app.function(route.function_id)
        target = f" and invokes {fn.display}" if fn else ""
        if restriction is not None:
            message = (f"{route.key} on {api.display} needs no authentication{target}; only the API's resource "
                       f"policy narrows callers ({restriction.describe()}).")
            severity = Severity.MEDIUM
        else:
            message = (f"{route.key} on {api.display} needs no authentication{target}: anyone on the internet can "
                       "call it with a request they control.")
            severity = None
        yield Hit(route.node, message, api.resource, evidence=route.key, severity=severity)
