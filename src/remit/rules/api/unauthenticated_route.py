"""RMT-API-001."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.iam.reach import Kept, judge_statements
from remit.model.entities import Api, ApiKind, Route
from remit.model.policy import PolicyDocument
from remit.model.values import render
from remit.rules.base import Hit, rule

#: condition keys that pin callers to a network: the only narrowing an unsigned (anonymous) caller can satisfy
NETWORK_KEYS = frozenset({"aws:sourceip", "aws:sourcevpce", "aws:sourcevpc", "aws:sourcevpcarn"})


@dataclass(frozen=True, slots=True)
class _Gate:
    """What the REST resource policy does to an anonymous caller."""

    refuses_anonymous: bool = False
    network: Kept | None = None  # the clause that narrows anonymous callers to a network


def _gate(api: Api) -> _Gate:
    """An unsigned request carries no principal, account or source ARN: a resource policy whose every ``Allow``
    for anyone needs one of those (or that allows no one but named principals) refuses it. A policy that only
    narrows by network leaves the route open to whoever is on that network. Both are the IAM evaluator's
    verdicts: for an outsider, then for an outsider who holds the network values the policy names."""
    if api.kind is not ApiKind.REST or api.policy is None:
        return _Gate()
    document = api.policy.document
    if not isinstance(document, PolicyDocument) or document.problems:
        return _Gate()  # unknown: judge the route on its own
    statements = document.statements
    judged = judge_statements(statements)
    if any(verdict.reachable for _, verdict in judged):
        return _Gate()
    if any(verdict.reachable for _, verdict in judge_statements(statements, NETWORK_KEYS)):
        network = next((k for _, verdict in judged for k in verdict.kept_by if k.key in NETWORK_KEYS), None)
        return _Gate(network=network)
    # API Gateway denies what the resource policy does not explicitly allow: no Allow for anyone admits an
    # unsigned caller, and an Allow for named principals matches none
    named_only = all(not st.allows or (st.principals and not st.not_principal) for st in statements)
    return _Gate(refuses_anonymous=bool(judged) or named_only)


def _narrowing(kept: Kept) -> str:
    """The network clause as the finding says it."""
    clause = kept.clause
    shown = ", ".join(render(v) for v in clause.values) or "?"
    if kept.deny is None:
        return f"only when {clause.key} is {shown}"
    sid = f" ({kept.deny.sid})" if kept.deny.sid else ""
    return f"a Deny{sid} refuses every request whose {clause.key} is not {shown}"


def _hit(api: Api, route: Route, an: Analysis, gate: _Gate) -> Hit:
    fn = an.app.function(route.function_id)
    target = f" and invokes {fn.display}" if fn else ""
    if gate.network is not None:
        return Hit(route.node,
                   f"{route.key} on {api.display} needs no authentication{target}; only the API's resource policy "
                   f"narrows callers by network ({_narrowing(gate.network)}): anyone on that network, or who "
                   "reaches it, can call the route.",
                   api.resource, evidence=route.key, severity=Severity.MEDIUM)
    return Hit(route.node,
               f"{route.key} on {api.display} needs no authentication{target}: anyone on the internet can call it "
               "with a request they control.", api.resource, evidence=route.key)


@rule(
    id="RMT-API-001",
    title="API route reachable without authentication",
    severity=Severity.HIGH,
    category=Category.BROKEN_AUTHENTICATION,
    responsibility=Responsibility.CONFIGURATION,
    scope=Api,
    impact=("Anyone who finds the URL can call the route with requests they write, and leaves no identity to trace "
            "or revoke: every flaw of the handler behind it is reachable from the internet, and so are data scraping "
            "and denial of wallet, billed to your account."),
    remediation="Give the route an authorizer (Cognito user pool, JWT, Lambda authorizer) or AWS_IAM "
                "authorization; in SAM set Auth.DefaultAuthorizer on the API and opt a route out (Authorizer: NONE) "
                "only on purpose. If the route must be public, require an API key with a usage plan to throttle "
                "it, validate input strictly, and suppress this finding with the reason.",
    references=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-to-api.html",
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-authorization-flow.html",
        "https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-controlling-access-to-apis.html",
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-control-access.html",
        "CSA SAS-2 Broken Authentication",
    ),
    cwe=("CWE-306",),
)
def check(api: Api, an: Analysis) -> Iterator[Hit]:
    """A route of a REST, HTTP or WebSocket API has no authorizer, no IAM authorization and no API key: anyone
    who knows the URL can call it, and the request reaches the integration (usually a function) as
    attacker-controlled event data, billed to the account.

    The effective authorization is read from where the author wrote it: SAM ``Auth`` (``DefaultAuthorizer``,
    per-event ``Auth: {Authorizer: NONE}``, ``ApiKeyRequired``, the implicit ``ServerlessRestApi`` and
    ``ServerlessHttpApi``), ``AWS::ApiGateway::Method`` (``AuthorizationType`` ``NONE``/``AWS_IAM``/``CUSTOM``/
    ``COGNITO_USER_POOLS``, ``ApiKeyRequired``), ``AWS::ApiGatewayV2::Route``, the OpenAPI body's ``security``
    requirements and security schemes, and the ``$default`` route of a quick-create HTTP API (``Target``),
    which never has an authorizer. An API key alone is not authentication (keys ship in clients), but it does
    gate and throttle callers, so a route that requires one is not reported.

    Not reported: ``OPTIONS`` routes (CORS preflight), private APIs (endpoint type ``PRIVATE``: reachable only
    through VPC endpoints), and REST APIs whose resource policy refuses unsigned callers (every ``Allow`` for
    anyone needs a principal, account, organization or source ARN; or the policy allows only named
    principals: an unauthenticated request matches none of them). A REST API whose resource policy admits
    anyone only from given source IPs, VPCs or VPC endpoints (``aws:SourceIp``, ``aws:SourceVpce``,
    ``aws:SourceVpc``) is reported as medium, naming the restriction: the route is still open to everyone on
    that network; one whose network clauses leave no address in (SAM's ``IpRangeWhitelist`` and
    ``IpRangeBlacklist`` naming the same range) lets no one in and is not reported. The policy is judged for
    the whole API, not per route, by the IAM evaluator.

    WebSocket APIs authorize a connection once, on ``$connect``; only that route is judged. A WebSocket API
    whose routes are in the template but that has no ``$connect`` route accepts every connection, and is
    reported at the API.
    """
    if api.private:
        return
    gate = _gate(api)
    if gate.refuses_anonymous:
        return
    if api.kind is ApiKind.WEBSOCKET:
        connect = [r for r in api.routes if r.method == "$connect"]
        if not connect and api.routes:
            yield Hit(api.node,
                      f"WebSocket API {api.display} has no $connect route, so no connection is ever authorized: "
                      f"anyone can connect and send messages to its {len(api.routes)} route(s).", api.resource,
                      evidence="no $connect route")
        for route in connect:
            if route.auth.is_open:
                yield _hit(api, route, an, gate)
        return
    for route in api.routes:
        if route.auth.is_open and route.method != "OPTIONS":
            yield _hit(api, route, an, gate)
